// Turning manifest rows into runnable clip jobs: times parsed, each distinct input probed once, ranges checked,
// outputs named and kept unique. A row that cannot run becomes a row error; the others go on.
import { stat } from 'node:fs/promises';
import { AbortedError, describeError, JiaoyanError, RuntimeError, UsageError } from '../core/errors.js';
import type { BatchErrorEvent } from '../core/batch-events.js';
import { formatTime, parseTime } from '../core/time.js';
import type { ManifestRow, RowTags } from './manifest.js';
import { defaultOutputPath, pathIdentity } from './output-names.js';
import { probe, type MediaInfo } from './probe.js';
import { checkRange } from './range.js';

export interface BatchJob {
  readonly row: number;
  readonly input: string;
  readonly output: string;
  readonly from: number;
  readonly to: number;
  readonly tags: RowTags;
  /** Input identity at planning time, for resume keys. */
  readonly inputSize: number;
  readonly inputMtimeMs: number;
  readonly info: MediaInfo;
}

export interface BatchPlan {
  readonly jobs: BatchJob[];
  /** Rows that cannot run, in row order. */
  readonly errors: BatchErrorEvent[];
}

type Probed = { info: MediaInfo; size: number; mtimeMs: number } | { error: unknown };

export function rowError(row: number, err: unknown): BatchErrorEvent {
  const d = describeError(err);
  return { row, code: d.code, message: d.message };
}

/** Run `fn` over items with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

async function probeOnce(input: string, signal?: AbortSignal): Promise<Probed> {
  try {
    // probe first: it turns a missing or unreadable input into INPUT_MISSING / INPUT_UNREADABLE with the path
    // (racing a bare stat() would sometimes surface the raw ENOENT instead).
    const info = await probe(input, signal);
    const s = await stat(input);
    if (!info.video) return { error: new RuntimeError('INPUT_NO_VIDEO', { path: input }) };
    return { info, size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    if (err instanceof AbortedError || signal?.aborted) throw new AbortedError();
    return { error: err };
  }
}

interface Timed {
  readonly row: ManifestRow;
  readonly from: number;
  readonly to: number;
  readonly output: string;
}

/** Times and cells that can be checked without touching the disk. */
function checkCells(row: ManifestRow, outDir: string): Timed {
  for (const column of ['input', 'start', 'end'] as const) {
    if (!row[column]) throw new UsageError('CELL_EMPTY', { column });
  }
  const from = parseTime(row.start);
  const to = parseTime(row.end);
  if (to <= from) throw new UsageError('END_NOT_AFTER_START', { from: formatTime(from), to: formatTime(to) });
  const output = row.output ?? defaultOutputPath(outDir, { row: row.row, input: row.input, ...row.tags });
  return { row, from, to, output };
}

/**
 * Plan the batch. Outputs: the first row to claim a path keeps it; a later row naming the same file (or any
 * row's input) is an error, so two rows never write one file and no input is overwritten.
 */
export async function planBatch(rows: readonly ManifestRow[], outDir: string, concurrency: number, signal?: AbortSignal): Promise<BatchPlan> {
  const errors = new Map<number, BatchErrorEvent>();
  const timed: Timed[] = [];
  for (const row of rows) {
    try {
      timed.push(checkCells(row, outDir));
    } catch (err) {
      if (!(err instanceof JiaoyanError)) throw err;
      errors.set(row.row, rowError(row.row, err));
    }
  }
  const inputs = [...new Set(timed.map((x) => x.row.input))];
  const probed = new Map<string, Probed>();
  const results = await mapLimit(inputs, concurrency, (input) => probeOnce(input, signal));
  inputs.forEach((input, i) => probed.set(input, results[i]!));

  const inputRows = new Map<string, number>();
  for (const r of rows) if (r.input && !inputRows.has(pathIdentity(r.input))) inputRows.set(pathIdentity(r.input), r.row);
  const claimed = new Map<string, number>();
  const jobs: BatchJob[] = [];
  for (const x of timed) {
    const p = probed.get(x.row.input)!;
    try {
      if ('error' in p) throw p.error;
      checkRange(p.info, x.from, x.to);
      const id = pathIdentity(x.output);
      const inputOf = inputRows.get(id);
      if (inputOf !== undefined) throw new UsageError('OUTPUT_IS_INPUT', { path: x.output, other: inputOf });
      const owner = claimed.get(id);
      if (owner !== undefined) throw new UsageError('OUTPUT_TAKEN', { path: x.output, other: owner });
      claimed.set(id, x.row.row);
      jobs.push({
        row: x.row.row, input: x.row.input, output: x.output, from: x.from, to: x.to, tags: x.row.tags,
        inputSize: p.size, inputMtimeMs: p.mtimeMs, info: p.info,
      });
    } catch (err) {
      errors.set(x.row.row, rowError(x.row.row, err));
    }
  }
  return { jobs, errors: [...errors.values()].sort((a, b) => a.row - b.row) };
}
