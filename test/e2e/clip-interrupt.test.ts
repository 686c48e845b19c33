// Ctrl-C / SIGTERM during a clip: ffmpeg stops, temp files go, nothing appears under the final name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { cached } from '../helpers/media.js';

async function until(check: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('SIGTERM during an encode exits 130 and leaves the output folder empty', async () => {
  const source = await cached('testsrc-720p', '.mp4', ['-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=40', '-f', 'lavfi', '-i', 'sine=d=40',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
  const dir = tempDir();
  const out = join(dir, 'lesson.mp4');
  const child = spawnCli(['clip', source, '--from', '1', '--to', '39', '--mode', 'encode', '--preset', 'archive-720p', '-o', out],
    { env: { JIAOYAN_HOME: tempDir() } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(() => readdirSync(dir).some((n) => n.includes('.partial')), 'the temp output to appear');
  child.kill('SIGTERM');
  expect(await exited).toBe(130);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir)).toEqual([]);
});
