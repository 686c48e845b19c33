// The join page in Firefox (Debian's Firefox ESR over WebDriver BiDi) against the real relay: it decodes the main
// venue's video and receives its sound, and as a speaker its camera and microphone reach a viewer. The relay
// listens on the machine's LAN address, as on a school PC (Firefox offers no loopback candidates).
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { isVp8KeyframeStart } from '../../src/relay/vp8.js';
import { Firefox, statScript, type FirefoxPage } from '../helpers/firefox.js';
import { startRelay } from '../../src/server/relay-server.js';
import { tempDir } from '../helpers/cli.js';
import { createSession, publishClip, until, type TestRelay } from '../helpers/relay.js';

let firefox: Firefox;
let relay: TestRelay;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const lan = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
  const dataDir = tempDir();
  const running = await startRelay({ dataDir, port: 0, bind: lan });
  relay = { running, dataDir, ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'), token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() };
  firefox = await Firefox.launch();
});

afterAll(async () => {
  for (const c of cleanups.reverse()) c();
  await firefox?.close();
  await relay?.running.close();
});

async function joinPage(url: string, name: string, venue: string): Promise<FirefoxPage> {
  const page = await firefox.open(url);
  await page.until(`return !!document.querySelector('#join')`, 'the join form');
  await page.run(`
    for (const [id, value] of [['#name', ${JSON.stringify(name)}], ['#venue', ${JSON.stringify(venue)}]]) {
      const input = document.querySelector(id);
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
    document.querySelector('#join').click();
    return true;`);
  await page.until(`return window.__jiaoyan.state().joined`, 'joined');
  return page;
}

async function connect(code: string, name: string, venue: string, hostKey?: string): Promise<ParticipantClient> {
  const c = await ParticipantClient.connect({ relay: relay.running.url, code, name, venue, ca: relay.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

describe('the join page in Firefox', () => {
  it('decodes the main venue’s video and receives its sound', async () => {
    const s = await createSession(relay, { title: '西河小学语文公开课', kind: 'trial' });
    const host = await connect(s.code, '张老师', '教育中心', s.hostKey);
    cleanups.push(await publishClip(host));
    const page = await joinPage(s.url, '王老师', '东山小学');
    const frames = await page.until<number>(`const n = await (async () => { ${statScript('subscribe', 'inbound-rtp', 'video', 'framesDecoded')} })(); return n > 30 ? n : 0;`, 'decoded video frames');
    expect(frames).toBeGreaterThan(30);
    const audio = await page.until<number>(`const n = await (async () => { ${statScript('subscribe', 'inbound-rtp', 'audio', 'packetsReceived')} })(); return n > 50 ? n : 0;`, 'audio packets');
    expect(audio).toBeGreaterThan(50);
  });

  it('takes a seat and sends its camera and microphone to a viewer', async () => {
    const s = await createSession(relay, { title: '集体备课', kind: 'prep' });
    const viewer = await connect(s.code, '赵老师', '五小');
    let video = 0;
    let keyframes = 0;
    let audio = 0;
    viewer.eachTrack((t) => {
      if (t.slot !== 'main') return;
      t.track.onReceiveRtp.subscribe((p) => {
        if (t.kind === 'audio') audio++;
        else {
          video++;
          if (isVp8KeyframeStart(p.payload)) keyframes++;
        }
      });
    });
    const page = await joinPage(s.url, '李老师', '三小');
    await page.run(`document.querySelector('#take-seat').click(); return true;`);
    await page.until(`return window.__jiaoyan.state().publishing`, 'publishing');
    await until(() => video > 100 && keyframes > 0 && audio > 50, 'Firefox’s camera and microphone at the viewer');
  });
});
