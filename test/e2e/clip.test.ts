// `jiaoyan clip` as a user runs it: frame accuracy read back from the frames themselves.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { barcodeVideo, frameNumbers, probeJson } from '../helpers/media.js';

const FPS = 30;
let source: string;
let home: string;
let work: string;

beforeAll(async () => {
  source = await barcodeVideo({ duration: 20, fps: FPS, gop: 60 });
  home = tempDir();
  work = tempDir();
});

async function clipJson(args: string[]) {
  const r = await runCli(['clip', source, ...args, '--json'], { env: { JIAOYAN_HOME: home }, cwd: work });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    output: string; mode: string; duration: number; frames: number;
    requested: { from: number; to: number }; actual: { from: number; to: number };
  };
}

function expectContiguous(frames: number[]) {
  frames.forEach((n, i) => expect(n, `frame ${i}`).toBe(frames[0]! + i));
}

describe('smart clip is frame-accurate', () => {
  const cases: [string, number, number][] = [
    ['starts mid-GOP and ends mid-GOP', 3.4, 7.9],
    ['starts exactly on a keyframe', 4, 8],
    ['lies inside one GOP (no keyframe to copy)', 5.1, 5.8],
    ['starts one frame after a keyframe and runs to the end', 6 + 1 / FPS, 20],
    ['spans several GOPs from a mid-GOP start', 2.5, 15.25],
    // Ends a few frames after a keyframe: the re-encoded tail is a tiny segment.
    ['ends 1 frame after a keyframe', 3.5, 6 + 1 / FPS],
    ['ends 2 frames after a keyframe', 3.5, 6 + 2 / FPS],
    ['ends 3 frames after a keyframe', 3.5, 6 + 3 / FPS],
    ['starts 1 frame before a keyframe', 6 - 1 / FPS, 9.5],
    ['starts 2 frames before a keyframe', 6 - 2 / FPS, 9.5],
  ];
  for (const [name, from, to] of cases) {
    it(`${name} (${from}–${to} s)`, async () => {
      const out = join(work, `smart-${from}-${to}.mp4`);
      const r = await clipJson(['--from', String(from), '--to', String(to), '-o', out]);
      const frames = await frameNumbers(out);
      const wantFirst = Math.round(from * FPS);
      const wantCount = Math.round((to - from) * FPS);
      expect(Math.abs(frames[0]! - wantFirst)).toBeLessThanOrEqual(1);
      expect(Math.abs(frames.length - wantCount)).toBeLessThanOrEqual(1);
      expectContiguous(frames);
      expect(r.mode).toBe('smart');
      expect(r.frames).toBe(frames.length);
      expect(Math.abs(r.duration - (to - from))).toBeLessThanOrEqual(1 / FPS + 1e-6);
      expect(Math.abs(r.actual.from - from)).toBeLessThanOrEqual(1 / FPS);
      const audio = (await probeJson(out)).streams.find((s) => s.codec_type === 'audio');
      expect(audio, 'audio kept').toBeDefined();
      expect(Math.abs(Number(audio!.duration) - (to - from))).toBeLessThan(0.1);
    });
  }

  it('leaves nothing but the final file in the output folder', async () => {
    const dir = tempDir();
    const out = join(dir, 'only.mp4');
    await clipJson(['--from', '1.5', '--to', '3.5', '-o', out]);
    expect(readdirSync(dir)).toEqual(['only.mp4']);
  });
});

describe('copy clip', () => {
  it('starts on the keyframe at or before the request and reports that real start', async () => {
    const out = join(work, 'copy.mp4');
    const r = await clipJson(['--from', '3.4', '--to', '7.9', '--mode', 'copy', '-o', out]);
    expect(r.mode).toBe('copy');
    expect(r.actual.from).toBeCloseTo(2.0, 3);
    const frames = await frameNumbers(out);
    expect(frames[0]).toBe(Math.round(r.actual.from * FPS));
    expect(frames.at(-1)!).toBeGreaterThanOrEqual(Math.round(7.9 * FPS) - 1);
  });

  it('starts exactly on a keyframe when asked for one', async () => {
    const out = join(work, 'copy-key.mp4');
    const r = await clipJson(['--from', '00:04', '--to', '00:00:08.000', '--mode', 'copy', '-o', out]);
    expect(r.actual.from).toBeCloseTo(4, 3);
    expect((await frameNumbers(out))[0]).toBe(120);
  });
});

describe('encode clip', () => {
  it('re-encodes with the preset and keeps the exact range', async () => {
    const out = join(work, 'enc.mp4');
    const r = await clipJson(['--from', '0:02.5', '--to', '4.5', '--mode', 'encode', '--preset', 'lowband-360p', '-o', out]);
    expect(r.mode).toBe('encode');
    const info = await probeJson(out);
    const v = info.streams.find((s) => s.codec_type === 'video')!;
    expect(v.codec_name).toBe('h264');
    expect(v.r_frame_rate).toBe('25/1'); // lowband-360p sets 25 fps
    const a = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(a.channels).toBe(1);
    expect(Math.abs(Number(info.format.duration) - 2)).toBeLessThan(0.1);
  });
});

describe('clip input and range errors', () => {
  const env = () => ({ env: { JIAOYAN_HOME: home }, cwd: work });

  it('rejects an unreadable time with exit 2 and names the value', async () => {
    const r = await runCli(['clip', source, '--from', '1:2:3:4', '--to', '5'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('1:2:3:4');
  });

  it('rejects end before start with exit 2', async () => {
    const r = await runCli(['clip', source, '--from', '8', '--to', '3', '--json'], env());
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: 'error', code: 'END_NOT_AFTER_START' });
  });

  it('rejects a start beyond the input duration with exit 2', async () => {
    const r = await runCli(['clip', source, '--from', '25', '--to', '30'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/beyond the end/);
  });

  it('fails with exit 1 and the path when the input is missing', async () => {
    const missing = join(work, 'no-such-lesson.mp4');
    const r = await runCli(['clip', missing, '--from', '1', '--to', '2'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
  });

  it('fails with exit 1, the path and ffprobe’s reason when the input is not media', async () => {
    const junk = join(work, 'junk.mp4');
    writeFileSync(junk, Buffer.alloc(4096, 7));
    const r = await runCli(['clip', junk, '--from', '1', '--to', '2'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(junk);
    expect(r.stderr).toMatch(/Invalid data|could not find|no video/i);
  });

  it('speaks Chinese with --lang zh', async () => {
    const r = await runCli(['--lang', 'zh', 'clip', source, '--from', '8', '--to', '3'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('必须晚于开始时间');
  });

  it('refuses an unknown mode with exit 2', async () => {
    const r = await runCli(['clip', source, '--from', '1', '--to', '2', '--mode', 'fast'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('smart, copy, encode');
  });
});

describe('clip catalogue', () => {
  it('lists the same phase across teachers with their tags', async () => {
    const h = tempDir();
    const opts = { env: { JIAOYAN_HOME: h }, cwd: work };
    for (const [teacher, phase, from] of [['张老师', '导入', 1], ['李老师', '导入', 5], ['王老师', '练习', 9]] as const) {
      const r = await runCli(['clip', source, '--from', String(from), '--to', String(from + 1), '-o', join(work, `${teacher}.mp4`),
        '--teacher', teacher, '--phase', phase, '--subject', '数学', '--title', '分数的意义'], opts);
      expect(r.code).toBe(0);
    }
    const r = await runCli(['clips', '--phase', '导入', '--json'], opts);
    expect(r.code).toBe(0);
    const { clips } = JSON.parse(r.stdout) as { clips: { tags: Record<string, string>; output: string; requested: { from: number } }[] };
    expect(clips.map((c) => c.tags.teacher).sort()).toEqual(['张老师', '李老师'].sort());
    expect(clips.every((c) => c.tags.subject === '数学' && c.tags.title === '分数的意义' && existsSync(c.output))).toBe(true);
  });
});

describe('other sources', () => {
  it('cuts a video without sound', async () => {
    const silent = await barcodeVideo({ duration: 8, fps: FPS, gop: 60, audio: false });
    const out = join(work, 'silent.mp4');
    const r = await runCli(['clip', silent, '--from', '2.5', '--to', '5', '-o', out, '--json'], { env: { JIAOYAN_HOME: home } });
    expect(r.code).toBe(0);
    const frames = await frameNumbers(out);
    expect(frames[0]).toBe(75);
    expect(frames.length).toBe(75);
    expect((await probeJson(out)).streams.map((s) => s.codec_type)).toEqual(['video']);
  });

  it('cuts a browser-style VP8/Opus WebM recording frame-accurately into MP4', async () => {
    const h264 = await barcodeVideo({ duration: 8, fps: FPS, gop: 60 });
    const { cached } = await import('../helpers/media.js');
    const webm = await cached('barcode-vp8', '.webm', ['-i', h264, '-c:v', 'libvpx', '-b:v', '1M', '-g', '90', '-c:a', 'libopus']);
    const out = join(work, 'from-webm.mp4');
    const r = await runCli(['clip', webm, '--from', '1.5', '--to', '4', '-o', out, '--json'], { env: { JIAOYAN_HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const frames = await frameNumbers(out);
    expect(Math.abs(frames[0]! - 45)).toBeLessThanOrEqual(1);
    expect(Math.abs(frames.length - 75)).toBeLessThanOrEqual(1);
    expectContiguous(frames);
  });
});
