// npm run bench:clip — wall time of copy, smart and encode cuts on a 20-minute 720p30 H.264 source with a 2 s GOP,
// a batch of 12 smart clips with --jobs 1 vs --jobs 2, and `jiaoyan --help` start-up. Prints figures, asserts nothing.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clip, type ClipMode } from '../src/media/clip.js';
import { locate } from '../src/media/locate.js';
import { encodePreset, DEFAULT_ENCODE_PRESET } from '../src/media/presets.js';
import { probe } from '../src/media/probe.js';

const execFileP = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.cache', 'bench');
const work = join(cache, 'out');
mkdirSync(work, { recursive: true });
const bin = join(root, 'bin', 'jiaoyan.js');

async function source(): Promise<string> {
  const out = join(cache, 'lesson-20min-720p30-gop2s.mp4');
  if (existsSync(out)) return out;
  console.log('generating the 20-minute 720p30 source once (cached in .cache/bench) …');
  const tmp = `${out}.tmp.mp4`;
  const t0 = performance.now();
  await execFileP(locate('ffmpeg').path, ['-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=1200', '-f', 'lavfi', '-i', 'sine=f=330:r=48000:d=1200',
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '96k', '-shortest', tmp]);
  renameSync(tmp, out);
  console.log(`  generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

const secs = (ms: number) => (ms / 1000).toFixed(2);

async function main() {
  const input = await source();
  const info = await probe(input);
  const preset = await encodePreset(join(cache, 'home'), DEFAULT_ENCODE_PRESET);
  console.log(`source: ${info.video!.width}x${info.video!.height} ${info.video!.fps} fps, ${info.duration.toFixed(1)} s, ffmpeg ${locate('ffmpeg').source}`);
  const offsets = [61.3, 333.7, 617.1]; // all mid-GOP (GOP = 2 s)
  const times: Record<ClipMode, number[]> = { copy: [], smart: [], encode: [] };
  console.log('\n5-minute clip, wall time (s):');
  console.log('offset      copy   smart  encode');
  for (const from of offsets) {
    const row: string[] = [];
    for (const mode of ['copy', 'smart', 'encode'] as const) {
      const out = join(work, `${mode}-${from}.mp4`);
      const t0 = performance.now();
      await clip({ input, output: out, from, to: from + 300, mode, preset, info });
      const ms = performance.now() - t0;
      times[mode].push(ms);
      row.push(secs(ms).padStart(7));
      rmSync(out, { force: true });
    }
    console.log(`${String(from).padEnd(8)}${row.join('')}`);
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  console.log(`mean    ${secs(mean(times.copy)).padStart(7)}${secs(mean(times.smart)).padStart(7)}${secs(mean(times.encode)).padStart(7)}`);
  console.log(`ratio smart/copy   = ${(mean(times.smart) / mean(times.copy)).toFixed(1)}x`);
  console.log(`ratio encode/smart = ${(mean(times.encode) / mean(times.smart)).toFixed(1)}x (smart = ${((mean(times.smart) / mean(times.encode)) * 100).toFixed(0)} % of encode)`);

  // Batch: 12 smart clips of 40 s from mid-GOP starts, through the real binary.
  const manifest = join(work, 'batch.csv');
  const rows = Array.from({ length: 12 }, (_, i) => {
    const from = 30 + i * 90 + 0.7;
    return `${input},${from.toFixed(1)},${(from + 40).toFixed(1)},T${i + 1},导入,数学,bench,`;
  });
  writeFileSync(manifest, ['input,start,end,teacher,phase,subject,title,output', ...rows].join('\n') + '\n');
  console.log('\nbatch of 12 smart 40-second clips:');
  const batchTimes: Record<number, number> = {};
  for (const jobs of [1, 2]) {
    const outDir = join(work, `batch-j${jobs}`);
    rmSync(outDir, { recursive: true, force: true });
    const t0 = performance.now();
    await execFileP(process.execPath, [bin, 'clip', 'batch', manifest, '--jobs', String(jobs), '--out-dir', outDir, '--json'], {
      env: { ...process.env, JIAOYAN_HOME: join(work, `home-j${jobs}`) }, maxBuffer: 64 * 1024 * 1024,
    });
    batchTimes[jobs] = performance.now() - t0;
    console.log(`  --jobs ${jobs}: ${secs(batchTimes[jobs]!)} s`);
    rmSync(outDir, { recursive: true, force: true });
    rmSync(join(work, `home-j${jobs}`), { recursive: true, force: true });
  }
  console.log(`  speed-up jobs2/jobs1 = ${(batchTimes[1]! / batchTimes[2]!).toFixed(2)}x`);

  const helpRuns: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [bin, '--help'], { stdio: 'ignore' });
    helpRuns.push(performance.now() - t0);
  }
  helpRuns.sort((a, b) => a - b);
  console.log(`\njiaoyan --help: median ${helpRuns[5]!.toFixed(0)} ms, min ${helpRuns[0]!.toFixed(0)} ms, max ${helpRuns.at(-1)!.toFixed(0)} ms (10 runs)`);
}

await main();
