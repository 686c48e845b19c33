// A strip of small pictures across a recording, for the library: `count` JPEGs evenly spaced, 160 px wide.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './ffmpeg.js';

export async function thumbnails(input: string, duration: number, outDir: string, count = 6, signal?: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  if (!(duration > 0)) return names;
  for (let i = 0; i < count; i++) {
    // From 5 % to 75 % of the way: near the end the picture may already have stopped (sound runs on).
    const at = duration * (0.05 + (0.7 * i) / Math.max(1, count - 1));
    const name = `thumb-${i + 1}.jpg`;
    const out = join(outDir, name);
    const made = async () => (await stat(out).then((s) => s.size, () => 0)) > 0;
    const grab = (seek: string[]) =>
      runTool('ffmpeg', ['-v', 'error', ...seek, '-frames:v', '1', '-vf', 'scale=160:-2', '-q:v', '5', '-y', out], { inputName: input, ...(signal ? { signal } : {}) });
    // -ss before -i seeks by the index (fast); where that finds no frame, decode up to `at` instead.
    await grab(['-ss', at.toFixed(2), '-i', input]);
    if (!(await made())) await grab(['-i', input, '-ss', at.toFixed(2)]);
    if (await made()) names.push(name);
  }
  return names;
}
