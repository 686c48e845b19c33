// npm run bench:handoff — 25 viewers, two publishing venues, 20 pushes of the main venue from one to the other.
// For each push and viewer: time from sending the push to the first packet of the new venue's first frame at the
// viewer (p50, p99, max), and frames lost or broken (a venue's run that does not start on its keyframe, or misses
// frame numbers). The relay runs in its own process; publishers answer keyframe requests within a frame, as a
// browser's encoder does. Prints figures, asserts nothing. Flags: --viewers N, --pushes N, --gap S (seconds
// between pushes), --keyframe-every N (the publishers' own keyframe interval, frames).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ParticipantClient } from '../src/client/participant-client.js';
import { relayRequest } from '../src/client/relay-target.js';
import { readTag, TaggedPublisher } from '../test/helpers/tagged-publisher.js';
import { cpuSeconds, percentile, rssMb } from './relay-probe.js';
import { RELAY_V8_FLAGS } from './relay-flags.js';

const { values: flags } = parseArgs({
  options: {
    viewers: { type: 'string', default: '25' },
    pushes: { type: 'string', default: '20' },
    gap: { type: 'string', default: '1.5' },
    'keyframe-every': { type: 'string', default: '300' },
  },
});
const VIEWERS = Number(flags.viewers);
const PUSHES = Number(flags.pushes);
const GAP_MS = Number(flags.gap) * 1000;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Frame {
  venue: number;
  frame: number;
  keyframe: boolean;
  at: number;
}

/** One viewer's main-venue video, frame by frame (first packet of each frame). */
function watchViewer(c: ParticipantClient): Frame[] {
  const frames: Frame[] = [];
  c.eachTrack((t) => {
    if (t.slot !== 'main' || t.kind !== 'video') return;
    t.track.onReceiveRtp.subscribe((p) => {
      if ((p.payload[0]! & 0x10) === 0) return; // not a frame's first packet
      const tag = readTag(p.payload, 'video');
      if (tag) frames.push({ venue: tag.venue, frame: tag.frame, keyframe: tag.keyframe, at: now() });
    });
  });
  return frames;
}

/** Frames missing inside each venue's runs, and runs that do not start on a keyframe. */
function damage(frames: Frame[]): { lost: number; broken: number } {
  let lost = 0;
  let broken = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const prev = frames[i - 1];
    if (!prev || prev.venue !== f.venue) {
      if (!f.keyframe) broken++;
    } else if (f.frame > prev.frame + 1) {
      lost += f.frame - prev.frame - 1;
    }
  }
  return { lost, broken };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jiaoyan-bench-handoff-'));
  const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
  const child = spawn(process.execPath, [...RELAY_V8_FLAGS, '--import', 'tsx', here('relay-process.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  })) as { url: string; pid: number };
  const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const clients: ParticipantClient[] = [];
  const publishers: TaggedPublisher[] = [];
  try {
    const s = await relayRequest<{ code: string; hostKey: string }>({ url: info.url, token, ca }, 'POST', '/api/sessions', { title: 'bench handoff', kind: 'showcase' });
    const connect = async (name: string, venue: string, hostKey?: string) => {
      const c = await ParticipantClient.connect({ relay: info.url, code: s.code, name, venue, ca, ...(hostKey ? { hostKey } : {}) });
      clients.push(c);
      return c;
    };
    const host = await connect('主持', '教育中心', s.hostKey);
    const school = await connect('三小', '三小');
    await host.request({ type: 'grantSeat', peerId: school.joined.peerId });
    const keyframeEvery = Number(flags['keyframe-every']);
    publishers.push(await TaggedPublisher.start(host, 1, { keyframeEvery }), await TaggedPublisher.start(school, 3, { keyframeEvery }));
    const viewers = await Promise.all(Array.from({ length: VIEWERS }, (_, i) => connect(`观众${i}`, `学校${i}`)));
    const logs = viewers.map(watchViewer);
    const deadline = Date.now() + 30_000;
    while (!logs.every((l) => l.some((f) => f.venue === 1)) && Date.now() < deadline) await sleep(50);
    const venues = ['三小', '教育中心'] as const;
    const samples: number[] = [];
    let missed = 0;
    const cpu0 = cpuSeconds(info.pid);
    const t0 = now();
    for (let i = 0; i < PUSHES; i++) {
      const venue = venues[i % 2]!;
      const tag = venue === '三小' ? 3 : 1;
      const marks = logs.map((l) => l.length);
      const pushedAt = now();
      await host.request({ type: 'pushVenue', venue });
      const end = Date.now() + 5000;
      const first = () => logs.map((l, v) => l.slice(marks[v]).find((f) => f.venue === tag));
      while (first().some((f) => !f) && Date.now() < end) await sleep(10);
      for (const f of first()) {
        if (f) samples.push(f.at - pushedAt);
        else missed++;
      }
      await sleep(GAP_MS);
    }
    const cpu = ((cpuSeconds(info.pid) - cpu0) / ((now() - t0) / 1000)) * 100;
    const dmg = logs.map(damage).reduce((a, b) => ({ lost: a.lost + b.lost, broken: a.broken + b.broken }), { lost: 0, broken: 0 });
    const frames = logs.reduce((n, l) => n + l.length, 0);
    samples.sort((a, b) => a - b);
    const ms = (x: number) => x.toFixed(1).padStart(8);
    console.log(`handoff: ${VIEWERS} viewers, 2 publishing venues, ${PUSHES} pushes ${GAP_MS / 1000} s apart; publishers' own keyframe every ${keyframeEvery} frames, and on request`);
    console.log('  samples   p50 ms   p99 ms   max ms  missed  frames seen  frames lost  broken starts  relay CPU %  relay RSS MB');
    console.log(`${String(samples.length).padStart(9)}${ms(percentile(samples, 50))} ${ms(percentile(samples, 99))} ${ms(samples.at(-1) ?? NaN)}${String(missed).padStart(8)}${String(frames).padStart(13)}${String(dmg.lost).padStart(13)}${String(dmg.broken).padStart(15)}${cpu.toFixed(1).padStart(13)}${rssMb(info.pid).toFixed(0).padStart(14)}`);
    console.log('\nlatency: push request sent → first packet of the new venue\'s first frame at the viewer (same clock);');
    console.log('frames lost: missing frame numbers inside a venue\'s run at a viewer; broken starts: runs that begin on a non-keyframe.');
  } finally {
    for (const p of publishers) p.stop();
    for (const c of clients) c.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
