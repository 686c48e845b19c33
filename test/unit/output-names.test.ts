// Batch output names: deterministic, safe on school filesystems, Chinese kept; stale temp files of dead runs.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempPathFor } from '../../src/core/fs.js';
import { defaultOutDir, defaultOutputName, defaultOutputPath, pathIdentity, sanitiseName } from '../../src/media/output-names.js';
import { parseTempName, processAlive, removeStaleTemps } from '../../src/media/stale-temp.js';
import { tempDir } from '../helpers/cli.js';

describe('sanitising names', () => {
  it('keeps Chinese characters and strips what filesystems reject', () => {
    expect(sanitiseName('复习/旧知: "分数" <1|2>?*\\')).toBe('复习旧知 分数 12');
  });

  it('drops control characters, folds whitespace and trims leading dots and trailing dots or spaces', () => {
    expect(sanitiseName('..隐藏\t\n标题\u0007 . ')).toBe('隐藏 标题');
  });
});

describe('default output names', () => {
  it('start with the row number, then teacher, phase and title', () => {
    expect(defaultOutputName({ row: 3, input: '/v/lesson.mp4', teacher: '张老师', phase: '导入', title: '复习旧知' })).toBe('003_张老师_导入_复习旧知.mp4');
  });

  it('are the same on every run for the same row', () => {
    const src = { row: 12, input: '/v/a.mp4', teacher: '李老师', title: 'x' };
    expect(defaultOutputName(src)).toBe(defaultOutputName({ ...src }));
  });

  it('use the input name when the row has no tags', () => {
    expect(defaultOutputName({ row: 7, input: '/v/第三课.MP4' })).toBe('007_第三课.mp4');
  });

  it('differ between rows even when the tags are equal', () => {
    const a = defaultOutputName({ row: 2, input: '/v/a.mp4', teacher: '张老师', phase: '导入' });
    const b = defaultOutputName({ row: 3, input: '/v/a.mp4', teacher: '张老师', phase: '导入' });
    expect(a).not.toBe(b);
  });

  it('stay under 255 bytes for very long Chinese titles', () => {
    const name = defaultOutputName({ row: 1, input: '/v/a.mp4', teacher: '张'.repeat(100), phase: '导'.repeat(100), title: '题'.repeat(100) });
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(210);
    expect(name.endsWith('.mp4')).toBe(true);
  });

  it('go into the out dir, by default a folder named after the manifest beside it', () => {
    expect(defaultOutDir('/school/第一周.csv')).toBe('/school/第一周-clips');
    expect(defaultOutputPath('/out', { row: 2, input: '/v/a.mp4', phase: '小结' })).toBe('/out/002_小结.mp4');
  });

  it('compare without case, as FAT and NTFS do', () => {
    expect(pathIdentity('/out/A.mp4')).toBe(pathIdentity('/out/a.MP4'));
  });
});

describe('stale temp files', () => {
  it('recognises the names clip() writes and the pid in them', () => {
    const partial = tempPathFor('/out/002_张老师.mp4', '.mp4').split('/').pop()!;
    expect(parseTempName(partial)).toEqual({ output: '002_张老师.mp4', pid: process.pid });
    expect(parseTempName(`.002_张老师.mp4.4242.work-Ab12Cd`)).toEqual({ output: '002_张老师.mp4', pid: 4242 });
    expect(parseTempName('002_张老师.mp4')).toBeUndefined();
    expect(processAlive(process.pid)).toBe(true);
  });

  it('are removed when their process is gone, only for the batch outputs, and kept while it runs', async () => {
    const dir = tempDir();
    const out = join(dir, '002_a.mp4');
    const dead = 999_999;
    const names = {
      deadPartial: `.002_a.mp4.${dead}.0badf00d.partial.mp4`,
      deadWork: `.002_a.mp4.${dead}.work-XyZ123`,
      livePartial: `.002_a.mp4.${process.pid}.12345678.partial.mp4`,
      otherOutput: `.unrelated.mp4.${dead}.0badf00d.partial.mp4`,
      finished: '002_a.mp4',
    };
    for (const n of [names.deadPartial, names.livePartial, names.otherOutput, names.finished]) writeFileSync(join(dir, n), 'x');
    mkdirSync(join(dir, names.deadWork));
    writeFileSync(join(dir, names.deadWork, 'v0.ts'), 'x');
    const removed = await removeStaleTemps([out, join(tempDir(), 'missing-dir', 'x.mp4')], (pid) => pid !== dead);
    expect(removed.sort()).toEqual([join(dir, names.deadPartial), join(dir, names.deadWork)].sort());
    expect(readdirSync(dir).sort()).toEqual([names.livePartial, names.otherOutput, names.finished].sort());
    expect(existsSync(join(dir, names.deadWork))).toBe(false);
  });
});
