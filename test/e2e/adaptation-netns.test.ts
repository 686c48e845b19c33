// Audio first under a real impairment. The relay (the real binary) and a browser host publishing its camera in three
// simulcast layers share one network namespace; a headless viewer sits in another, behind a veth pair. The viewer's
// downlink is then throttled to 150 kbit/s with 5 % random loss (tbf on the relay's end, iptables at the viewer): its
// sound must keep arriving (≥ 95 % of the audio packets, counted by sequence number at the viewer after RED
// recovery) while the relay lowers its video to the low layer or pauses it; once the link is restored, video must
// flow again within 5 s.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, newPage, waitForState } from '../helpers/browser.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { ImpairedLink, ProcessOutput } from '../helpers/impaired-link.js';
import { until } from '../helpers/relay.js';

const PARTICIPANT = fileURLToPath(new URL('../helpers/netns-participant.ts', import.meta.url));
/** Audio packets a second (Opus, 20 ms). */
const AUDIO_PPS = 50;

let link: ImpairedLink;
const relayLog: string[] = [];
let browser: Browser | undefined;
let session: { url: string; relayUrl: string; code: string; hostKey: string; caFile: string };

beforeAll(async () => {
  link = ImpairedLink.create();
  const dataDir = tempDir();
  const env = { JIAOYAN_HOME: dataDir };
  // The relay's adaptation log (DEBUG), kept to show what it decided if the test fails.
  const relay = new ProcessOutput(link.spawnNode('relay', [BIN, '--json', 'relay', 'start', '--no-tui', '--no-announce', '--port', '8443', '--bind', link.addr.relay],
    { ...env, DEBUG: 'relay:adaptation,relay:publication,relay:session' }, (text) => relayLog.push(...text.split('\n').filter(Boolean).map((l) => `${Date.now()} ${l}`))));
  const { url: relayUrl } = (await relay.first((o) => o.event === 'listening')) as { url: string };
  const started = new ProcessOutput(link.spawnNode('relay', [BIN, '--json', 'session', 'start', '--title', '山区直播课', '--kind', 'lesson'], env));
  const s = (await started.first((o) => typeof o.code === 'string')) as { url: string; code: string; hostKey: string };
  session = { ...s, relayUrl, caFile: join(dataDir, 'tls', 'ca.pem') };

  // The host: Chromium inside the relay's namespace (its fake camera, simulcast from the join page).
  browser = await chromium.launch({ executablePath: link.wrapper('relay', CHROMIUM), args: CHROMIUM_ARGS });
  const host = await newPage(browser, 'zh-CN', { ignoreHTTPSErrors: true });
  await host.page.goto(`${session.url}#hostKey=${session.hostKey}`);
  await host.page.fill('#name', '张老师');
  await host.page.fill('#venue', '县教研室');
  await host.page.click('#join');
  await waitForState(host.page, { joined: true });
  await host.page.click('#start-broadcast');
  await waitForState(host.page, { publishing: true });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await link?.close();
});

interface Counts {
  audio: { received: number; expected: number };
  video: number;
}

it('keeps a viewer’s sound behind 150 kbit/s with 5 % loss, lowers or pauses its video, and brings video back within 5 s', async () => {
  const viewer = new ProcessOutput(link.spawnNode('viewer', ['--import', 'tsx', PARTICIPANT, 'viewer', session.relayUrl, session.code, session.caFile]));
  let counts: Counts = { audio: { received: 0, expected: 0 }, video: 0 };
  viewer.on((o) => {
    if (o.event === 'counts') counts = o as unknown as Counts;
  });
  const { peerId } = (await viewer.first((o) => o.event === 'joined')) as { peerId: string };
  // The host's status (from inside the relay's namespace): the viewer's layer and estimate, every second.
  const monitor = new ProcessOutput(link.spawnNode('relay', ['--import', 'tsx', PARTICIPANT, 'monitor', session.relayUrl, session.code, session.caFile, session.hostKey]));
  let layer: string | null | undefined;
  const layers: { at: number; layer: string | null; estimateKbps: number | null; hostInKbps: number | undefined }[] = [];
  monitor.on((o) => {
    if (o.event !== 'status') return;
    const peers = o.peers as { peerId: string; layer: string | null; estimateKbps: number | null; inKbps: number }[];
    const me = peers.find((p) => p.peerId === peerId);
    if (!me) return;
    layer = me.layer;
    layers.push({ at: Date.now(), layer: me.layer, estimateKbps: me.estimateKbps, hostInKbps: peers.find((p) => p.inKbps > 0)?.inKbps });
  });

  // A clean link: the picture arrives. How much video one second of it carries (measured over 2 s of sound).
  await until(() => counts.video > 300 && (layer === 'h' || layer === 'm' || layer === 'l'), 'video at the viewer over a clean link', 60_000);
  const [cleanAudio, cleanVideo] = [counts.audio.expected, counts.video];
  await until(() => counts.audio.expected - cleanAudio >= 2 * AUDIO_PPS, '2 s of sound over the clean link');
  const cleanVideoPerSecond = (counts.video - cleanVideo) / 2;

  link.impair(150, 5);
  const impairedAt = Date.now();
  await until(() => layer === 'l' || layer === 'audio', 'the relay lowering or pausing the viewer’s video', 30_000);
  const adaptedAt = Date.now();

  // 15 s of the lesson's sound at the viewer (by the stream's own numbers), the link still impaired.
  const [a0, v0, from] = [{ ...counts.audio }, counts.video, layers.length];
  await until(() => counts.audio.expected - a0.expected >= 15 * AUDIO_PPS, '15 s of sound at the viewer', 60_000);
  const received = counts.audio.received - a0.received;
  const expected = counts.audio.expected - a0.expected;
  const seen = new Set(layers.slice(from).map((l) => l.layer));
  const videoDuring = counts.video - v0;
  expect(link.impaired).toBe(true);

  link.restore();
  const restoredAt = Date.now();
  const v1 = counts.video;
  let back: number | undefined;
  try {
    // Paused video resumes on a keyframe (a few packets of the low layer); nothing else arrives while paused.
    await until(() => counts.video - v1 >= 5, 'video flowing again', 5_000);
    back = Date.now() - restoredAt;
  } finally {
    console.log(
      `adapted ${((adaptedAt - impairedAt) / 1000).toFixed(1)} s after the impairment; while impaired: audio ${received}/${expected} ` +
        `(${((100 * received) / expected).toFixed(1)} %), layers ${[...seen].join(',')}, video packets ${videoDuring} (clean link: ${cleanVideoPerSecond}/s), ` +
        `estimates ${layers.slice(from).map((l) => l.estimateKbps).join(' ')}; video back ${back === undefined ? 'NOT within 5 s' : `after ${(back / 1000).toFixed(1)} s`}; ` +
        `after the restore (s: layer estimate, host's kbit/s in): ${layers.filter((l) => l.at >= restoredAt).map((l) => `${((l.at - restoredAt) / 1000).toFixed(1)}: ${l.layer} ${l.estimateKbps} ${l.hostInKbps}`).join(' · ')}`,
    );
    if (back === undefined || received / expected < 0.95) console.log(`relay log since the impairment:\n${relayLog.filter((l) => Number(l.split(' ')[0]) >= impairedAt).join('\n')}`);
  }
  expect(received / expected).toBeGreaterThanOrEqual(0.95);
  expect([...seen].every((l) => l === 'l' || l === 'audio')).toBe(true);
  // Paused the whole time: less video in 15 s than the clean link carried in one (what was in flight at the pause).
  if (!seen.has('l')) expect(videoDuring).toBeLessThan(cleanVideoPerSecond);
  await until(() => layer !== 'audio' && layer !== null, 'the status showing a video layer again', 30_000);
}, 240_000);
