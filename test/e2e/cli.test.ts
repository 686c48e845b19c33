// The binary's global behaviour: help, flags, doctor, exit codes, JSON errors.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('jiaoyan binary', () => {
  it('prints help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['doctor', 'clip', 'clips', 'compare', 'analyze', 'presets']) expect(r.stdout).toContain(cmd);
  });

  it('shows help in Chinese with --lang zh', async () => {
    const r = await runCli(['--lang', 'zh', '--help']);
    expect(r.stdout).toContain('从课堂录像中剪出一段');
  });

  it('picks Chinese from LANG', async () => {
    const r = await runCli(['clip', 'x.mp4', '--from', 'abc', '--to', '1'], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('无法识别时间');
  });

  it('exits 2 on an unknown flag, with a JSON error under --json', async () => {
    const r = await runCli(['clip', 'x.mp4', '--frm', '1', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: 'error', code: 'USAGE' });
  });

  it('exits 2 when a required flag is missing', async () => {
    const r = await runCli(['clip', 'x.mp4', '--from', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to');
  });
});

describe('jiaoyan doctor', () => {
  it('reports ffmpeg, ffprobe, encoders, filters, font and data dir as JSON', async () => {
    const home = tempDir();
    const r = await runCli(['doctor', '--json'], { env: { JIAOYAN_HOME: home } });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.ok).toBe(true);
    expect(d.ffmpeg).toMatchObject({ ok: true, source: expect.stringMatching(/env|ffmpeg-static|bundled|PATH/) });
    expect(d.ffmpeg.version).toEqual(expect.any(String));
    expect(d.ffprobe.ok).toBe(true);
    expect(d.encoders.libx264).toBe(true);
    expect(d.filters.ebur128).toBe(true);
    expect(d.dataDir).toEqual({ path: home, writable: true });
    expect(d.relay).toEqual({ configured: false });
    expect(typeof d.font.ok).toBe('boolean');
  });

  it('exits 3 with the fix when FFMPEG_PATH points at nothing', async () => {
    const r = await runCli(['doctor', '--json'], { env: { JIAOYAN_HOME: tempDir(), FFMPEG_PATH: '/nonexistent/ffmpeg' } });
    expect(r.code).toBe(3);
    const d = JSON.parse(r.stdout);
    expect(d.ok).toBe(false);
    expect(d.problems[0]).toMatchObject({ code: 'TOOL_MISSING', message: expect.stringContaining('/nonexistent/ffmpeg') });
    expect(d.problems[0].fix).toMatch(/npm install|FFMPEG_PATH/);
  });

  it('exits 3 when ffmpeg is there but broken', async () => {
    const dir = tempDir();
    const fake = join(dir, 'ffmpeg');
    writeFileSync(fake, '#!/bin/sh\nexit 1\n');
    chmodSync(fake, 0o755);
    const r = await runCli(['doctor'], { env: { JIAOYAN_HOME: tempDir(), FFMPEG_PATH: fake } });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('ffmpeg');
  });

  it('a clip exits 3 with the fix when ffmpeg cannot be found', async () => {
    const existing = join(tempDir(), 'lesson.mp4');
    writeFileSync(existing, 'not checked before the tools are');
    const r = await runCli(['clip', existing, '--from', '1', '--to', '2'], { env: { JIAOYAN_HOME: tempDir(), FFPROBE_PATH: '/nonexistent/ffprobe' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/FFPROBE_PATH/);
  });
});

describe('jiaoyan presets', () => {
  it('lists built-in presets and lets a user preset override one', async () => {
    const home = tempDir();
    const list = JSON.parse((await runCli(['presets', '--json'], { env: { JIAOYAN_HOME: home } })).stdout) as { presets: { name: string; kind: string; origin: string }[] };
    const names = list.presets.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['lowband-360p', 'study-540p', 'archive-720p', 'default']));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(home, 'presets', 'encode'), { recursive: true });
    const builtin = JSON.parse((await runCli(['presets', 'show', 'lowband-360p', '--json'], { env: { JIAOYAN_HOME: home } })).stdout);
    writeFileSync(join(home, 'presets', 'encode', 'mine.json'), JSON.stringify({ ...builtin, kind: undefined, origin: undefined, path: undefined, video: { ...builtin.video, crf: 30 } }));
    const shown = JSON.parse((await runCli(['presets', 'show', 'lowband-360p', '--json'], { env: { JIAOYAN_HOME: home } })).stdout);
    expect(shown.origin).toBe('user');
    expect(shown.video.crf).toBe(30);
  });

  it('rejects a broken user preset with exit 2 naming the file', async () => {
    const home = tempDir();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(home, 'presets', 'encode'), { recursive: true });
    writeFileSync(join(home, 'presets', 'encode', 'bad.json'), '{"name":"bad","video":{}}');
    const r = await runCli(['presets'], { env: { JIAOYAN_HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
  });
});
