// Bench: `compare` 2-up and 4-up of one-minute 720p30 lessons (the encode of the stacked picture dominates).
// Prints wall times and realtime factors; asserts nothing.
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { compare } from '../src/media/compare.js';
import { detectFeatures } from '../src/media/features.js';
import { tempDir } from '../test/helpers/cli.js';
import { lesson720p } from './sources.js';

const t0 = performance.now();
const [a, b] = await Promise.all([lesson720p({ minutes: 1 }), lesson720p({ minutes: 1, height: 540, width: 960, fps: 25 })]);
console.log(`sources: ${a}, ${b} (${((performance.now() - t0) / 1000).toFixed(1)} s to make or find)`);
console.log(`ffmpeg ${(await detectFeatures()).version}`);
const dir = tempDir('jiaoyan-bench-');

for (const [label, inputs, audio] of [
  ['2-up 720p + 720p, audio both', [a, a], { kind: 'both' } as const],
  ['2-up 720p + 540p, audio both', [a, b], { kind: 'both' } as const],
  ['4-up 720p/540p, audio 1', [a, b, b, a], { kind: 'one', index: 0 } as const],
] as const) {
  const start = performance.now();
  const r = await compare({ inputs, output: join(dir, `${inputs.length}up.mp4`), audio, labels: inputs.map((_, i) => `老师${i + 1}`) });
  const s = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(32)} → ${r.width}x${r.height}  ${s.toFixed(2).padStart(6)} s  ${(r.duration / s).toFixed(2)}× realtime`);
}
