import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/core/errors.js';
import { compare, type CompareResult } from '../../src/media/compare.js';
import { findCjkFont } from '../../src/media/fonts.js';
import { runCli, tempDir, type CliRun } from '../helpers/cli.js';
import { compareSource } from '../helpers/lesson-media.js';
import { probeJson } from '../helpers/media.js';

const env = () => ({ JIAOYAN_HOME: tempDir() });

function json(run: CliRun): CompareResult {
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as CompareResult;
}

async function streams(path: string) {
  const p = await probeJson(path);
  return {
    duration: Number(p.format.duration),
    video: p.streams.find((s) => s.codec_type === 'video')!,
    audio: p.streams.find((s) => s.codec_type === 'audio'),
  };
}

let small: string; // 320x240, 6 s, 25 fps, 440 Hz
let wide: string; // 640x360, 4 s, 30 fps, 880 Hz
let mute: string; // 480x270, 5 s, 15 fps, no sound

beforeAll(async () => {
  [small, wide, mute] = await Promise.all([
    compareSource({ width: 320, height: 240, duration: 6, fps: 25, tone: 440 }),
    compareSource({ width: 640, height: 360, duration: 4, fps: 30, tone: 880 }),
    compareSource({ width: 480, height: 270, duration: 5, fps: 15, audio: false }),
  ]);
});

describe('compare two lessons side by side', () => {
  it('scales both to the lower height and runs to the longer one, one teacher per ear', async () => {
    const out = join(tempDir(), 'side by side.mp4');
    const result = json(await runCli(['--json', 'compare', small, wide, '--labels', '张老师,李老师', '--audio', 'both', '-o', out], { env: env() }));
    expect(result).toMatchObject({ output: out, inputs: [small, wide], labels: ['张老师', '李老师'], audio: 'both', width: 746, height: 240 });
    expect(Math.abs(result.duration - 6)).toBeLessThanOrEqual(0.1);
    const s = await streams(out);
    expect([s.video.width, s.video.height]).toEqual([746, 240]);
    expect(s.audio!.channels).toBe(2);
    expect(Math.abs(s.duration - 6)).toBeLessThanOrEqual(0.1);
    expect(readdirSync(join(out, '..'))).toEqual(['side by side.mp4']);
  });

  it('names the output after the inputs in the current folder when -o is missing', async () => {
    const cwd = tempDir();
    const result = json(await runCli(['--json', 'compare', small, wide], { env: env(), cwd }));
    expect(readdirSync(cwd)).toHaveLength(1);
    expect(result.output).toBe(join(cwd, readdirSync(cwd)[0]!));
    expect(result.output).toMatch(/_vs_.*\.mp4$/);
    expect(result.audio).toBe('1');
  });

  it('takes a font file whose path has spaces, a quote and a colon', async () => {
    const font = await findCjkFont();
    expect(font).toBeDefined();
    const dir = tempDir();
    const odd = join(dir, "my font's:copy.ttc");
    symlinkSync(font!.path, odd);
    const out = join(dir, 'out.mp4');
    const result = json(await runCli(['--json', 'compare', small, wide, '--font', odd, '-o', out], { env: env() }));
    expect(result.font).toBe(odd);
    expect((await streams(out)).video.width).toBe(746);
  });
});

describe('compare four lessons in a grid', () => {
  it('builds a 2×2 grid of equal tiles and keeps going over an input without sound', async () => {
    const out = join(tempDir(), 'grid.mp4');
    const run = await runCli(['--json', 'compare', small, wide, mute, small, '--labels', '一,二,三,四', '--audio', '3', '-o', out], { env: env() });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as CompareResult;
    // Tiles 240 high; the widest input (16:9) sets the tile width: 2·round(240·640/360/2) = 426.
    expect([result.width, result.height]).toEqual([852, 480]);
    expect(result.silentInputs).toEqual([3]);
    expect(run.stderr).toContain('input 3');
    const s = await streams(out);
    expect([s.video.width, s.video.height]).toEqual([852, 480]);
    expect(s.audio!.channels).toBe(2);
    expect(Math.abs(s.duration - 6)).toBeLessThanOrEqual(0.1);
  });
});

describe('compare refuses bad requests', () => {
  it('exits 2 when labels and inputs do not match', async () => {
    const run = await runCli(['compare', small, wide, '--labels', '张老师'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--labels has 1 names for 2 inputs');
  });

  it('exits 2 for three inputs', async () => {
    const run = await runCli(['--json', 'compare', small, wide, mute], { env: env() });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ event: 'error', code: 'COMPARE_COUNT' });
  });

  it('exits 2 for an --audio that is not an input number or both', async () => {
    const run = await runCli(['compare', small, wide, '--audio', '5'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"5"');
  });

  it('exits 2 when the font file does not exist', async () => {
    const font = join(tempDir(), 'missing.ttf');
    const run = await runCli(['compare', small, wide, '--font', font], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(font);
  });

  it('exits 1 with the path when an input is missing', async () => {
    const missing = join(tempDir(), '李老师.mp4');
    const cwd = tempDir();
    const run = await runCli(['compare', small, missing], { env: env(), cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(missing);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('compare when interrupted', () => {
  it('stops ffmpeg and leaves no file behind', async () => {
    const long = await compareSource({ width: 640, height: 360, duration: 60, fps: 30, tone: 330 });
    const dir = tempDir();
    const controller = new AbortController();
    const run = compare({
      inputs: [long, long], output: join(dir, 'cut.mp4'), audio: { kind: 'both' }, signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
