// Bench: `analyze` on a 10-minute 720p30 lesson (audio + picture), against the cost of just decoding it.
// Prints wall times and realtime factors; asserts nothing.
import { performance } from 'node:perf_hooks';
import { analyze } from '../src/media/analyze.js';
import { detectFeatures } from '../src/media/features.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { analysisPreset } from '../src/media/presets.js';
import { probe } from '../src/media/probe.js';
import { tempDir } from '../test/helpers/cli.js';
import { benchPauses, lesson720p } from './sources.js';

const MINUTES = 10;

async function timed<T>(label: string, media: number, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(44)} ${s.toFixed(2).padStart(7)} s   ${(media / s).toFixed(1).padStart(6)}× realtime`);
  return r;
}

const t0 = performance.now();
const input = await lesson720p({ minutes: MINUTES });
console.log(`source: ${input} (${((performance.now() - t0) / 1000).toFixed(1)} s to make or find)`);
const info = await probe(input);
const features = await detectFeatures();
const preset = await analysisPreset(tempDir());
console.log(`ffmpeg ${features.version}, ${info.video!.width}x${info.video!.height} ${info.video!.fps} fps, ${info.duration.toFixed(1)} s, scene method: ${features.filters.has('scdet') ? 'scdet' : 'select'}`);

await timed('decode only (audio + video, -f null)', info.duration, () =>
  runFfmpeg(['-i', input, '-map', '0:a:0', '-map', '0:v:0', '-f', 'null', '-'], { inputName: input }));
const { video: _video, ...audioOnly } = info;
await timed('analyze, sound only (2 passes over audio)', info.duration, () => analyze({ input, preset, info: audioOnly, features }));
const full = await timed('analyze, sound + downscaled scene pass', info.duration, () => analyze({ input, preset, info, features }));

const expected = benchPauses(info.duration);
console.log(`found ${full.pauses.length}/${expected.length} pauses, ${full.sceneChanges?.count ?? 0} scene changes (${MINUTES - 1} made), `
  + `speaking ${(full.speakingRatio * 100).toFixed(1)}%, threshold ${full.silenceThresholdDb} dBFS over floor ${full.noiseFloorDb} dBFS`);
