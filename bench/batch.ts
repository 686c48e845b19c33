// npm run bench:batch — wall time of a batch of 12 smart clips from a 5-minute 720p30 H.264 source (2 s GOP)
// with --jobs 1 and --jobs 2, through the library (ClipBatch). Prints figures, asserts nothing.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ClipBatch } from '../src/media/batch.js';
import type { ClipMode } from '../src/media/clip.js';
import { locate } from '../src/media/locate.js';
import type { ManifestRow } from '../src/media/manifest.js';
import { DEFAULT_ENCODE_PRESET, encodePreset } from '../src/media/presets.js';

const execFileP = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.cache', 'bench');

async function source(): Promise<string> {
  const out = join(cache, 'lesson-5min-720p30-gop2s.mp4');
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  console.log('generating the 5-minute 720p30 source once (cached in .cache/bench) …');
  const tmp = `${out}.tmp.mp4`;
  await execFileP(locate('ffmpeg').path, ['-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=300', '-f', 'lavfi', '-i', 'sine=f=330:r=48000:d=300',
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '96k', '-shortest', tmp]);
  renameSync(tmp, out);
  return out;
}

/** `count` rows of `seconds` each, spread over the source, all starting and ending mid-GOP. */
export function spreadRows(input: string, count: number, seconds: number, sourceSeconds: number): ManifestRow[] {
  const step = (sourceSeconds - seconds - 2) / count;
  return Array.from({ length: count }, (_, i) => {
    const from = 1.3 + i * step;
    return { row: i + 2, input, start: from.toFixed(3), end: (from + seconds).toFixed(3), tags: { title: `clip ${i + 1}` } };
  });
}

/** Wall time in ms of one batch run into a fresh folder (removed afterwards); throws if any row failed. */
export async function timeBatch(rows: readonly ManifestRow[], opts: { jobs: number; mode: ClipMode; outDir: string }): Promise<number> {
  rmSync(opts.outDir, { recursive: true, force: true });
  const preset = await encodePreset(join(cache, 'home'), DEFAULT_ENCODE_PRESET);
  const batch = new ClipBatch({ rows, outDir: opts.outDir, mode: opts.mode, preset, jobs: opts.jobs });
  const failures: string[] = [];
  batch.on('error', (e) => failures.push(`row ${e.row}: ${e.message}`));
  const t0 = performance.now();
  const summary = await batch.run();
  const ms = performance.now() - t0;
  rmSync(opts.outDir, { recursive: true, force: true });
  if (summary.failed) throw new Error(`batch failed:\n${failures.join('\n')}`);
  return ms;
}

async function main(): Promise<void> {
  const input = await source();
  const rows = spreadRows(input, 12, 20, 300);
  const outDir = join(cache, 'batch-out');
  console.log(`12 smart clips of 20 s from ${input} (ffmpeg: ${locate('ffmpeg').source}, ${availableParallelism()} cores)`);
  await timeBatch(rows.slice(0, 1), { jobs: 1, mode: 'smart', outDir }); // warm the page cache
  const one = await timeBatch(rows, { jobs: 1, mode: 'smart', outDir });
  const two = await timeBatch(rows, { jobs: 2, mode: 'smart', outDir });
  console.log(`--jobs 1: ${(one / 1000).toFixed(2)} s`);
  console.log(`--jobs 2: ${(two / 1000).toFixed(2)} s`);
  console.log(`speed-up: ${(one / two).toFixed(2)}×`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
