import { describe, expect, it } from 'vitest';
import { AbortedError, RuntimeError } from '../../src/core/errors.js';
import { meaningfulLine, runFfmpeg, type Progress } from '../../src/media/ffmpeg.js';

describe('the ffmpeg runner', () => {
  it('reports progress from -progress pipe:1 up to 100 %', async () => {
    const seen: Progress[] = [];
    await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'null', '-'], {
      inputName: 'testsrc2', duration: 4, onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ done: true, percent: 100 });
    expect(seen.at(-1)!.outTime).toBeGreaterThan(3.5);
  });

  it('names the input and the meaningful stderr line when ffmpeg fails', async () => {
    const err = await runFfmpeg(['-i', '/nonexistent/lesson.mp4', '-f', 'null', '-'], { inputName: '/nonexistent/lesson.mp4' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    const msg = (err as RuntimeError).localised();
    expect(msg).toContain('/nonexistent/lesson.mp4');
    expect(msg).toMatch(/No such file or directory/);
  });

  it('kills ffmpeg when the signal aborts and rejects with AbortedError', async () => {
    const controller = new AbortController();
    const run = runFfmpeg(['-re', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=60', '-f', 'null', '-'], {
      inputName: 'testsrc2', signal: controller.signal, duration: 60,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
  });

  it('skips banners and statistics when picking the error line', () => {
    expect(meaningfulLine(['ffmpeg version x', 'Input #0, lavfi', '  Stream #0:0: Video', 'foo.mp4: Invalid data found when processing input', ''])).toBe(
      'foo.mp4: Invalid data found when processing input',
    );
  });
});
