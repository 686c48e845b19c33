// npm run bench:record — what recording costs at the relay and how fast a crashed recording is recovered.
// 1) One publisher (a generated VP8 + Opus lesson) and N viewers (default 25) through a relay in its own process:
//    relay CPU (% of one core) and ffmpeg CPU over a window with recording off, then on.
// 2) A 60-minute recording left by a crash (a WebM cut short, no index): time for `repairWebm` to make it a
//    seekable file, and its duration after. Prints figures, asserts nothing. Flags: --viewers N, --seconds S,
//    --minutes M (length of the crashed file).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ParticipantClient } from '../src/client/participant-client.js';
import { relayRequest } from '../src/client/relay-target.js';
import { probe } from '../src/media/probe.js';
import { repairWebm } from '../src/media/rtp-webm-writer.js';
import { cached } from '../test/helpers/media.js';
import { publishClip } from '../test/helpers/relay.js';
import { cpuSeconds } from './relay-probe.js';
import { RELAY_V8_FLAGS } from './relay-flags.js';

const { values: flags } = parseArgs({
  options: {
    viewers: { type: 'string', default: '25' },
    seconds: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '60' },
  },
});
const VIEWERS = Number(flags.viewers);
const SECONDS = Number(flags.seconds);
const MINUTES = Number(flags.minutes);
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

async function recordingCost(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jiaoyan-bench-record-'));
  const child = spawn(process.execPath, [...RELAY_V8_FLAGS, '--import', 'tsx', fileURLToPath(new URL('relay-process.ts', import.meta.url)), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  })) as { url: string; pid: number };
  const target = { url: info.url, token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8') };
  const clients: ParticipantClient[] = [];
  let stop: (() => void) | undefined;
  try {
    const s = await relayRequest<{ id: string; code: string; hostKey: string }>(target, 'POST', '/api/sessions', { title: 'bench record', kind: 'lesson' });
    const host = await ParticipantClient.connect({ relay: info.url, code: s.code, name: '主讲', venue: '教育中心', hostKey: s.hostKey, ca: target.ca });
    clients.push(host);
    stop = await publishClip(host);
    for (let i = 0; i < VIEWERS; i++) clients.push(await ParticipantClient.connect({ relay: info.url, code: s.code, name: `观众${i}`, venue: `学校${i}`, ca: target.ca }));
    await sleep(3);
    const window = async () => {
      const c0 = cpuSeconds(info.pid);
      const t0 = performance.now();
      await sleep(SECONDS);
      return ((cpuSeconds(info.pid) - c0) / ((performance.now() - t0) / 1000)) * 100;
    };
    const off = await window();
    await relayRequest(target, 'POST', `/api/sessions/${s.id}/record`, { on: true });
    const { recordings } = await relayRequest<{ recordings: { id: string; files: { pid?: number }[] }[] }>(target, 'GET', '/api/recordings');
    const pids = recordings[0]!.files.map((f) => f.pid).filter((p): p is number => typeof p === 'number');
    await sleep(2);
    const f0 = pids.reduce((a, p) => a + cpuSeconds(p), 0);
    const t0 = performance.now();
    const on = await window();
    const ffmpegCpu = ((pids.reduce((a, p) => a + cpuSeconds(p), 0) - f0) / ((performance.now() - t0) / 1000)) * 100;
    await relayRequest(target, 'POST', `/api/sessions/${s.id}/record`, { on: false });
    console.log(`recording cost: 1 publisher (VP8 ~800 kbit/s + Opus), ${VIEWERS} viewers, ${SECONDS} s windows`);
    console.log('  relay CPU % (off)  relay CPU % (on)  ffmpeg CPU % (on)');
    console.log(`${off.toFixed(1).padStart(19)}${on.toFixed(1).padStart(18)}${ffmpegCpu.toFixed(1).padStart(19)}`);
  } finally {
    stop?.();
    for (const c of clients) c.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function recoveryTime(): Promise<void> {
  const seconds = MINUTES * 60;
  // A long recording as the relay writes it: VP8 + Opus WebM, clusters of a second (small picture: this is
  // about the container, not the pixels).
  const full = await cached(`bench-recording-${MINUTES}m`, '.webm', [
    '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=15:d=${seconds}`, '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`,
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '150k', '-g', '150', '-c:a', 'libopus', '-b:a', '32k',
    '-cluster_time_limit', '1000', '-f', 'webm',
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'jiaoyan-bench-repair-'));
  try {
    const crashed = join(dir, 'program.webm');
    copyFileSync(full, crashed);
    // What a SIGKILL leaves: everything but the end (no cues, no duration), cut mid-cluster.
    truncateSync(crashed, Math.floor(statSync(full).size * 0.98) + 7);
    const t0 = performance.now();
    await repairWebm(crashed);
    const ms = performance.now() - t0;
    const after = await probe(crashed);
    console.log(`\nrecovery: a ${MINUTES}-minute recording cut short by a crash (${(statSync(full).size / 1e6).toFixed(0)} MB)`);
    console.log('  repair s  duration after s  of original s');
    console.log(`${(ms / 1000).toFixed(2).padStart(10)}${after.duration.toFixed(1).padStart(18)}${String(seconds).padStart(14)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await recordingCost();
await recoveryTime();
