// `jiaoyan clip batch` as a user runs it: spreadsheet manifests, bad rows, NDJSON, resume after a kill, SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ndjson, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { barcodeVideo, cached, frameNumbers } from '../helpers/media.js';

const FPS = 30;
let source: string;

beforeAll(async () => {
  source = await barcodeVideo({ duration: 20, fps: FPS, gop: 60 });
});

type Event = Record<string, unknown> & { event: string };

/** A folder holding the lesson under a Chinese name, so manifests can use relative paths. */
function lessonFolder(): string {
  const dir = tempDir('jiaoyan-batch-');
  symlinkSync(source, join(dir, '课堂录像.mp4'));
  return dir;
}

function csv(rows: string[][]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

async function expectFrames(path: string, from: number, to: number): Promise<void> {
  const frames = await frameNumbers(path);
  expect(Math.abs(frames[0]! - Math.round(from * FPS)), `${path} first frame`).toBeLessThanOrEqual(1);
  expect(Math.abs(frames.length - Math.round((to - from) * FPS)), `${path} frame count`).toBeLessThanOrEqual(1);
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('.'));
}

/** Read a child's NDJSON stdout as events; resolves `waitFor` once `check` holds for the events so far. */
function eventStream(child: ChildProcess) {
  const events: Event[] = [];
  const waiters: { check: (e: Event[]) => boolean; resolve: () => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as Event);
    for (const w of [...waiters]) if (w.check(events)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    events,
    exited,
    waitFor: (check: (e: Event[]) => boolean) =>
      new Promise<void>((resolve, reject) => {
        if (check(events)) return resolve();
        waiters.push({ check, resolve });
        void exited.then(() => reject(new Error(`exited before the awaited events; got ${JSON.stringify(events)}`)));
      }),
  };
}

const HEADER = ['input', 'start', 'end', 'teacher', 'phase', 'subject', 'title'];

describe('manifests from Excel and WPS', () => {
  it('makes the clips of a GB18030 manifest and a UTF-8-BOM one, catalogued with their Chinese tags', async () => {
    const home = tempDir();
    const gbDir = lessonFolder();
    const bomDir = lessonFolder();
    writeFileSync(join(gbDir, '第一周.csv'), iconv.encode(csv([HEADER,
      ['课堂录像.mp4', '00:00:01.5', '00:00:03', '张老师', '导入', '数学', '复习"旧知"'],
      ['课堂录像.mp4', '6', '8', '张老师', '新授', '数学', '分数的意义']]), 'gb18030'));
    writeFileSync(join(bomDir, 'week2.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv([HEADER,
      ['课堂录像.mp4', '10', '00:00:12.5', '李老师', '导入', '语文', '情境, 提问']]), 'utf8')]));
    const env = { JIAOYAN_HOME: home };
    const gb = await runCli(['clip', 'batch', join(gbDir, '第一周.csv')], { env });
    expect(gb.code, gb.stderr).toBe(0);
    const bom = await runCli(['clip', 'batch', join(bomDir, 'week2.csv')], { env });
    expect(bom.code, bom.stderr).toBe(0);

    const first = join(gbDir, '第一周-clips', '002_张老师_导入_复习旧知.mp4');
    const third = join(bomDir, 'week2-clips', '002_李老师_导入_情境, 提问.mp4');
    expect(gb.stdout).toContain(first);
    await expectFrames(first, 1.5, 3);
    await expectFrames(third, 10, 12.5);

    const list = await runCli(['clips', '--phase', '导入', '--json'], { env });
    const clips = (JSON.parse(list.stdout) as { clips: { output: string; tags: Record<string, string> }[] }).clips;
    expect(clips.map((c) => [c.output, c.tags]).sort()).toEqual([
      [first, { teacher: '张老师', phase: '导入', subject: '数学', title: '复习"旧知"' }],
      [third, { teacher: '李老师', phase: '导入', subject: '语文', title: '情境, 提问' }],
    ].sort());
  });

  it('refuses a manifest without the required columns with exit 2 before cutting anything', async () => {
    const dir = lessonFolder();
    writeFileSync(join(dir, 'm.csv'), csv([['input', 'teacher'], ['课堂录像.mp4', '张老师']]));
    const r = await runCli(['clip', 'batch', join(dir, 'm.csv')], { env: { JIAOYAN_HOME: tempDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lacks columns: start, end');
    expect(existsSync(join(dir, 'm-clips'))).toBe(false);
  });

  it('refuses --jobs 0 with exit 2', async () => {
    const dir = lessonFolder();
    writeFileSync(join(dir, 'm.csv'), csv([HEADER, ['课堂录像.mp4', '1', '2', '', '', '', '']]));
    const r = await runCli(['clip', 'batch', join(dir, 'm.csv'), '--jobs', '0'], { env: { JIAOYAN_HOME: tempDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--jobs');
  });
});

describe('rows that cannot be cut', () => {
  it('are reported with their spreadsheet row and reason while the other rows are made; exit 1', async () => {
    const dir = lessonFolder();
    writeFileSync(join(dir, 'm.csv'), csv([HEADER,
      ['课堂录像.mp4', '1', '2', '张老师', '导入', '', ''],
      ['课堂录像.mp4', '1:xx', '2', '', '', '', ''],
      ['没有这个文件.mp4', '1', '2', '', '', '', ''],
      ['课堂录像.mp4', '15', '00:00:25', '', '', '', ''],
      ['课堂录像.mp4', '4', '6', '李老师', '练习', '', '']]));
    const r = await runCli(['clip', 'batch', join(dir, 'm.csv'), '--mode', 'copy'], { env: { JIAOYAN_HOME: tempDir() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ row 3: cannot read time "1:xx"');
    expect(r.stderr).toContain(`✗ row 4: input file not found: ${join(dir, '没有这个文件.mp4')}`);
    expect(r.stderr).toMatch(/✗ row 5: end 00:00:25\.000 is beyond the end of .*课堂录像\.mp4/);
    expect(r.stderr).not.toMatch(/jiaoyan: error/); // reported once, by the batch itself
    expect(r.stdout).toContain('✓ row 2: ');
    expect(r.stdout).toContain('✓ row 6: ');
    expect(r.stdout).toContain('2 done, 0 skipped, 3 failed of 5');
    expect(readdirSync(join(dir, 'm-clips')).sort()).toEqual(['002_张老师_导入.mp4', '006_李老师_练习.mp4']);
  });
});

describe('--json', () => {
  it('streams start, progress, done and error events, then the summary as the last line', async () => {
    const dir = lessonFolder();
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ clips: [
      { input: '课堂录像.mp4', start: 2.5, end: '00:00:07', phase: '导入', output: 'out/a.mp4' },
      { input: '课堂录像.mp4', start: '9', end: '8' },
      { input: '课堂录像.mp4', start: 12, end: 16, title: '小结' },
    ] }));
    const r = await runCli(['clip', 'batch', join(dir, 'm.json'), '--json', '--jobs', '1'], { env: { JIAOYAN_HOME: tempDir() } });
    expect(r.code).toBe(1);
    const events = ndjson(r.stdout) as Event[];
    expect(events[0]).toEqual({ event: 'error', row: 2, code: 'END_NOT_AFTER_START', message: 'end 00:00:08.000 must be after start 00:00:09.000' });
    const names = events.map((e) => `${e.event}:${String(e.row ?? '')}`).filter((n) => !n.startsWith('progress'));
    expect(names).toEqual(['error:2', 'start:1', 'done:1', 'start:3', 'done:3', 'summary:']);
    for (const row of [1, 3]) {
      const at = events.findIndex((e) => e.event === 'start' && e.row === row);
      const end = events.findIndex((e) => e.event === 'done' && e.row === row);
      for (const p of events.slice(at + 1, end).filter((e) => e.event === 'progress')) {
        expect(p.row).toBe(row);
        expect(p.percent).toBeGreaterThanOrEqual(0);
        expect(p.percent).toBeLessThan(100);
      }
    }
    expect(events.find((e) => e.event === 'start')).toEqual({ event: 'start', row: 1, input: join(dir, '课堂录像.mp4'), output: join(dir, 'out', 'a.mp4'), from: 2.5, to: 7 });
    const done = events.find((e) => e.event === 'done' && e.row === 3)!;
    expect(done).toMatchObject({ output: join(dir, 'm-clips', '003_小结.mp4'), frames: 120 });
    expect(events.at(-1)).toMatchObject({ event: 'summary', done: 2, skipped: 0, failed: 1, total: 3, interrupted: false });
    expect(typeof events.at(-1)!.elapsed).toBe('number');
    expect(r.stderr).toBe('');
  });
});

describe('resuming', () => {
  it('after a batch is killed midway, a re-run skips the finished clips, redoes the rest and leaves no temp files', async () => {
    const dir = lessonFolder();
    const home = tempDir();
    const ranges: [number, number][] = [[0.5, 3.2], [3.5, 5.7], [6.5, 9.3], [9.5, 12.4], [12.5, 15.2], [15.5, 18.9]];
    writeFileSync(join(dir, 'm.csv'), csv([HEADER, ...ranges.map(([a, b], i) => ['课堂录像.mp4', String(a), String(b), '王老师', '练习', '', `第${i + 1}段`])]));
    const args = [BIN, 'clip', 'batch', join(dir, 'm.csv'), '--jobs', '1', '--json'];
    const env = { ...process.env, LANG: 'en_US.UTF-8', JIAOYAN_HOME: home };
    // Its own process group, so the kill takes ffmpeg down too — like closing the terminal or a power cut.
    const first = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const run1 = eventStream(first);
    // Two clips finished and the third under way (its ffmpeg has reported progress, so its temp files exist).
    await run1.waitFor((e) => {
      const second = e.findIndex((x, i) => x.event === 'done' && e.slice(0, i).some((y) => y.event === 'done'));
      return second >= 0 && e.slice(second).some((x) => x.event === 'progress');
    });
    process.kill(-first.pid!, 'SIGKILL');
    expect((await run1.exited).signal).toBe('SIGKILL');
    const doneBefore = run1.events.filter((e) => e.event === 'done').map((e) => e.row as number);
    const out = join(dir, 'm-clips');
    const mtimes = new Map(doneBefore.map((row) => {
      const output = run1.events.find((e) => e.event === 'done' && e.row === row)!.output as string;
      return [row, statSync(output).mtimeMs] as const;
    }));

    const second = await runCli(['clip', 'batch', join(dir, 'm.csv'), '--jobs', '1', '--json'], { env: { JIAOYAN_HOME: home } });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const events = ndjson(second.stdout) as Event[];
    const skipped = events.filter((e) => e.event === 'skipped').map((e) => e.row as number);
    const redone = events.filter((e) => e.event === 'done').map((e) => e.row as number);
    expect(skipped).toEqual(expect.arrayContaining(doneBefore));
    expect([...skipped, ...redone].sort()).toEqual([2, 3, 4, 5, 6, 7]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', done: redone.length, skipped: skipped.length, failed: 0, total: 6 });
    for (const e of events.filter((x) => x.event === 'skipped')) expect(e.reason).toBe('already-done');
    for (const [row, mtime] of mtimes) {
      const output = events.find((e) => e.event === 'skipped' && e.row === row)!.output as string;
      expect(statSync(output).mtimeMs, `row ${row} not redone`).toBe(mtime);
    }
    expect(leftovers(out)).toEqual([]);
    expect(readdirSync(out)).toHaveLength(6);
    for (const [i, [a, b]] of ranges.entries()) await expectFrames(join(out, `00${i + 2}_王老师_练习_第${i + 1}段.mp4`), a, b);
    const list = await runCli(['clips', '--teacher', '王老师', '--json'], { env: { JIAOYAN_HOME: home } });
    expect((JSON.parse(list.stdout) as { clips: unknown[] }).clips).toHaveLength(6);
  });
});

describe('SIGTERM', () => {
  it('stops the running clips, removes their temp files, prints the summary and exits 130', async () => {
    const lesson = await cached('testsrc-720p', '.mp4', ['-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=40', '-f', 'lavfi', '-i', 'sine=d=40',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
    const dir = tempDir('jiaoyan-batch-');
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'm.csv'), csv([['input', 'start', 'end', 'output'],
      ...[0, 1, 2, 3].map((i) => [lesson, String(i * 9), String(i * 9 + 8), `out/part${i}.mp4`])]));
    const child = spawnCli(['clip', 'batch', join(dir, 'm.csv'), '--mode', 'encode', '--preset', 'archive-720p', '--jobs', '2', '--json'],
      { env: { JIAOYAN_HOME: tempDir() } });
    const run = eventStream(child);
    await run.waitFor((e) => e.some((x) => x.event === 'progress'));
    child.kill('SIGTERM');
    expect((await run.exited).code).toBe(130);
    const summary = run.events.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', interrupted: true, failed: 0, total: 4 });
    expect((summary.done as number) + (summary.remaining as number)).toBe(4);
    expect(run.events.filter((e) => e.event === 'error')).toEqual([]);
    const out = join(dir, 'out');
    expect(leftovers(out)).toEqual([]);
    const finished = run.events.filter((e) => e.event === 'done').map((e) => e.output as string).sort();
    expect(readdirSync(out).map((n) => join(out, n)).sort()).toEqual(finished); // only verified clips carry a final name
  });
});
