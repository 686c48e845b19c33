import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/core/errors.js';
import { candidates, locate } from '../../src/media/locate.js';
import { tempDir } from '../helpers/cli.js';

function fakeTool(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\necho fake\n');
  chmodSync(p, 0o755);
  return p;
}

describe('locating ffmpeg and ffprobe', () => {
  it('orders env, then the bundled packages, then PATH', () => {
    const dir = tempDir();
    const onPath = fakeTool(join(dir, 'bin'), 'ffmpeg');
    const env = { PATH: join(dir, 'bin'), FFMPEG_PATH: onPath };
    const list = candidates('ffmpeg', env);
    expect(list[0]).toEqual({ path: onPath, source: 'env' });
    expect(list.map((c) => c.source)).toContain('bundled');
    expect(list.at(-1)).toEqual({ path: onPath, source: 'PATH' });
    expect(list.findIndex((c) => c.source === 'bundled')).toBeLessThan(list.length - 1);
  });

  it('uses an explicit FFPROBE_PATH', () => {
    const p = fakeTool(tempDir(), 'my-ffprobe');
    expect(locate('ffprobe', { PATH: '', FFPROBE_PATH: p })).toEqual({ path: p, source: 'env' });
  });

  it('refuses an explicit path that is not an executable (exit 3, with the fix)', () => {
    const env = { PATH: '', FFMPEG_PATH: '/nonexistent/ffmpeg' };
    expect(() => locate('ffmpeg', env)).toThrow(EnvironmentError);
    try {
      locate('ffmpeg', env);
    } catch (err) {
      expect((err as EnvironmentError).hint).toMatch(/FFMPEG_PATH/);
      expect((err as EnvironmentError).localised()).toContain('/nonexistent/ffmpeg');
    }
  });

  it('falls back to the bundled binary when nothing else is set', () => {
    expect(locate('ffmpeg', { PATH: '' }).source).toMatch(/ffmpeg-static|bundled/);
  });
});
