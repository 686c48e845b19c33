// The batch runner as a library: rows planned and checked, good rows cut, bad rows reported, resume through
// the injected ledger, aborts that leave nothing behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchEvents } from '../../src/core/batch-events.js';
import { ClipBatch, type BatchJob, type BatchLedger } from '../../src/media/batch.js';
import type { ManifestRow } from '../../src/media/manifest.js';
import { encodePreset } from '../../src/media/presets.js';
import { tempDir } from '../helpers/cli.js';
import { barcodeVideo, frameNumbers } from '../helpers/media.js';

const FPS = 30;
let source: string;
let preset: Awaited<ReturnType<typeof encodePreset>>;

beforeAll(async () => {
  source = await barcodeVideo({ duration: 12, fps: FPS, gop: 60 });
  preset = await encodePreset(tempDir(), 'study-540p');
});

function row(n: number, fields: Partial<ManifestRow> = {}): ManifestRow {
  return { row: n, input: source, start: '1', end: '2', tags: {}, ...fields };
}

type Recorded = { [K in keyof BatchEvents]: { event: K; data: BatchEvents[K][0] } }[keyof BatchEvents];

function record(batch: ClipBatch): Recorded[] {
  const events: Recorded[] = [];
  const keep = <K extends keyof BatchEvents>(event: K) => batch.on(event, (...args) => events.push({ event, data: args[0] } as Recorded));
  for (const event of ['plan', 'start', 'progress', 'done', 'skipped', 'error', 'summary'] as const) keep(event);
  return events;
}

class MemoryLedger implements BatchLedger {
  readonly done = new Set<string>();
  readonly recorded: number[] = [];
  async isDone(job: BatchJob) {
    return this.done.has(job.output);
  }
  async record(job: BatchJob) {
    this.recorded.push(job.row);
    this.done.add(job.output);
  }
}

describe('a clip batch', () => {
  it('cuts the good rows frame-accurately and reports each bad row with its number and reason', async () => {
    const out = tempDir();
    const rows = [
      row(2, { start: '00:00:01.5', end: '3', tags: { teacher: '张老师', phase: '导入' } }),
      row(3, { start: 'soon' }),
      row(4, { input: '' }),
      row(5, { input: join(out, 'missing.mp4') }),
      row(6, { start: '10', end: '00:00:30' }),
      row(7, { start: '5', end: '4' }),
      row(8, { start: '4', end: '6', output: join(out, 'same.mp4') }),
      row(9, { start: '6', end: '7', output: join(out, 'SAME.mp4') }),
      row(10, { output: source }),
    ];
    const batch = new ClipBatch({ rows, outDir: out, mode: 'smart', preset, jobs: 2 });
    const events = record(batch);
    const summary = await batch.run();
    const errors = events.flatMap((e) => (e.event === 'error' ? [[e.data.row, e.data.code]] : []));
    expect(errors).toEqual([
      [3, 'BAD_TIME'], [4, 'CELL_EMPTY'], [5, 'INPUT_MISSING'], [6, 'END_BEYOND_DURATION'], [7, 'END_NOT_AFTER_START'],
      [9, 'OUTPUT_TAKEN'], [10, 'OUTPUT_IS_INPUT'],
    ]);
    expect(summary).toMatchObject({ done: 2, skipped: 0, failed: 7, total: 9, remaining: 0, interrupted: false });
    expect(events.at(-1)?.event).toBe('summary');
    const done = events.flatMap((e) => (e.event === 'done' ? [e.data] : []));
    expect(done.map((d) => d.row).sort()).toEqual([2, 8]);
    const first = done.find((d) => d.row === 2)!;
    expect(first.output).toBe(join(out, '002_张老师_导入.mp4'));
    const frames = await frameNumbers(first.output);
    expect(Math.abs(frames[0]! - 45)).toBeLessThanOrEqual(1);
    expect(Math.abs(frames.length - 45)).toBeLessThanOrEqual(1);
    expect(readdirSync(out).sort()).toEqual(['002_张老师_导入.mp4', 'same.mp4']);
  });

  it('skips rows the ledger knows, records every clip it makes, and removes temp files left by dead runs', async () => {
    const out = tempDir();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = [`.003_b.mp4.${deadPid}.0badf00d.partial.mp4`, `.003_b.mp4.${deadPid}.work-AbC123`];
    writeFileSync(join(out, stale[0]!), 'half a file');
    mkdirSync(join(out, stale[1]!));
    const ledger = new MemoryLedger();
    ledger.done.add(join(out, '002_a.mp4'));
    const rows = [row(2, { tags: { title: 'a' } }), row(3, { start: '2', end: '3', tags: { title: 'b' } })];
    const batch = new ClipBatch({ rows, outDir: out, mode: 'copy', preset, jobs: 1, ledger });
    const events = record(batch);
    const summary = await batch.run();
    expect(events.filter((e) => e.event === 'skipped').map((e) => e.data)).toEqual([{ row: 2, output: join(out, '002_a.mp4'), reason: 'already-done' }]);
    expect(ledger.recorded).toEqual([3]);
    expect(summary).toMatchObject({ done: 1, skipped: 1, failed: 0, total: 2 });
    expect(readdirSync(out)).toEqual(['003_b.mp4']);
  });

  it('stops at an abort: running clips leave no files, the rest stay to do, the summary says interrupted', async () => {
    const out = tempDir();
    const controller = new AbortController();
    const rows = [row(2, { end: '11' }), row(3, { start: '3', end: '9' }), row(4, { start: '6', end: '8' })];
    const batch = new ClipBatch({ rows, outDir: out, mode: 'encode', preset, jobs: 2, signal: controller.signal });
    const events = record(batch);
    batch.on('start', () => controller.abort());
    const summary = await batch.run();
    expect(summary).toMatchObject({ done: 0, failed: 0, skipped: 0, total: 3, remaining: 3, interrupted: true });
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('runs only once', async () => {
    const batch = new ClipBatch({ rows: [row(2, { input: '' })], outDir: tempDir(), mode: 'copy', preset, jobs: 1 });
    await batch.run();
    await expect(batch.run()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
