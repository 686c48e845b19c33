// Smart cuts around every GOP boundary position: start and end from 3 frames before to 3 frames after a keyframe.
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { clip } from '../../src/media/clip.js';
import { encodePreset } from '../../src/media/presets.js';
import { probe, type MediaInfo } from '../../src/media/probe.js';
import { tempDir } from '../helpers/cli.js';
import { barcodeVideo, frameNumbers } from '../helpers/media.js';

const FPS = 30;
let info: MediaInfo;
let dir: string;

beforeAll(async () => {
  info = await probe(await barcodeVideo({ duration: 20, fps: FPS, gop: 60 }));
  dir = tempDir();
});

it('every smart cut around a keyframe starts and ends on the requested frames', async () => {
  const preset = await encodePreset(dir, 'study-540p');
  const failures: string[] = [];
  for (const s of [-3, -1, 0, 1, 3]) {
    for (const e of [-3, -2, -1, 0, 1, 2, 3]) {
      const first = 120 + s; // keyframe at frame 120 (4 s)
      const end = 300 + e; // keyframe at frame 300 (10 s), exclusive end
      const out = join(dir, `sweep_${s}_${e}.mp4`);
      const r = await clip({ input: info.path, output: out, from: first / FPS, to: end / FPS, mode: 'smart', preset, info });
      const frames = await frameNumbers(out);
      const want = Array.from({ length: end - first }, (_, i) => first + i);
      if (JSON.stringify(frames) !== JSON.stringify(want) || r.frames !== want.length) {
        failures.push(`start ${s} end ${e}: got ${frames[0]}..${frames.at(-1)} (${frames.length}), reported ${r.frames}`);
      }
    }
  }
  expect(failures).toEqual([]);
});
