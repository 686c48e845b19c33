// A clip batch: plans the manifest rows, skips work already done, runs N clips at once and reports every step
// as a typed event. Persistence is injected (BatchLedger) so media never depends on the store.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BatchEvents, BatchSummary } from '../core/batch-events.js';
import { TypedEmitter } from '../core/emitter.js';
import { AbortedError, InvalidStateError, JiaoyanError, RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { clip, type ClipMode, type ClipResult } from './clip.js';
import type { ManifestRow } from './manifest.js';
import { planBatch, rowError, type BatchJob } from './batch-plan.js';
import type { EncodePreset } from './presets.js';
import { removeStaleTemps } from './stale-temp.js';

export type { BatchJob } from './batch-plan.js';

const log = logger('batch');

/** What the batch needs from a record of finished work (the CLI wires the clip catalogue). */
export interface BatchLedger {
  /** True when this job's output was made before and is still intact: the row is skipped. */
  isDone(job: BatchJob): Promise<boolean>;
  /** Called once a job's output is in place under its final name, before `done` is emitted. */
  record(job: BatchJob, result: ClipResult): Promise<void>;
}

export interface BatchOptions {
  readonly rows: readonly ManifestRow[];
  /** Folder for rows without an output. */
  readonly outDir: string;
  readonly mode: ClipMode;
  readonly preset: EncodePreset;
  /** Clips cut at once (each is one ffmpeg process at a time). */
  readonly jobs: number;
  readonly signal?: AbortSignal;
  readonly ledger?: BatchLedger;
  /** Least time between two progress events of one job, ms (default 250: at most 4 per second). */
  readonly progressIntervalMs?: number;
}

/** Filesystem errors around the output (no permission, disk full) are the user's to fix, not internal bugs. */
function asRowFailure(err: unknown, output: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof JiaoyanError || typeof code !== 'string') return err;
  return new RuntimeError('OUTPUT_UNWRITABLE', { path: output, detail: code }, { cause: err });
}

export class ClipBatch extends TypedEmitter<BatchEvents> {
  readonly #opts: BatchOptions;
  #started = false;
  #counts = { done: 0, skipped: 0, failed: 0 };

  constructor(opts: BatchOptions) {
    super();
    if (!Number.isInteger(opts.jobs) || opts.jobs < 1) throw new RangeError(`jobs must be a positive integer, got ${opts.jobs}`);
    this.#opts = opts;
  }

  /**
   * Run the batch once. Resolves with the summary (also emitted as `summary`) — including after an abort,
   * when `interrupted` is set, running clips have been stopped and their temp files removed.
   */
  async run(): Promise<BatchSummary> {
    if (this.#started) throw new InvalidStateError('ClipBatch');
    this.#started = true;
    const t0 = performance.now();
    try {
      await this.#runAll();
    } catch (err) {
      if (!(err instanceof AbortedError)) throw err;
    }
    const { done, skipped, failed } = this.#counts;
    const total = this.#opts.rows.length;
    const summary: BatchSummary = {
      done, skipped, failed, total,
      remaining: total - done - skipped - failed,
      interrupted: !!this.#opts.signal?.aborted,
      elapsed: Math.round(performance.now() - t0) / 1000,
    };
    this.safeEmit('summary', summary);
    return summary;
  }

  async #runAll(): Promise<void> {
    const { rows, outDir, jobs, signal, ledger } = this.#opts;
    const plan = await planBatch(rows, outDir, jobs, signal);
    this.safeEmit('plan', { total: rows.length, jobs: plan.jobs.map((j) => ({ row: j.row, seconds: j.to - j.from })) });
    for (const e of plan.errors) {
      this.#counts.failed++;
      this.safeEmit('error', e);
    }
    const stale = await removeStaleTemps(plan.jobs.map((j) => j.output));
    if (stale.length) log('removed %d stale temp file(s)', stale.length);
    const queue: BatchJob[] = [];
    for (const job of plan.jobs) {
      if (signal?.aborted) throw new AbortedError();
      if (ledger && (await ledger.isDone(job))) {
        this.#counts.skipped++;
        this.safeEmit('skipped', { row: job.row, output: job.output, reason: 'already-done' });
      } else {
        queue.push(job);
      }
    }
    const worker = async () => {
      for (let job = queue.shift(); job && !signal?.aborted; job = queue.shift()) await this.#runJob(job);
    };
    await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
  }

  async #runJob(job: BatchJob): Promise<void> {
    const { mode, preset, signal, ledger } = this.#opts;
    const interval = this.#opts.progressIntervalMs ?? 250;
    let last = -Infinity;
    this.safeEmit('start', { row: job.row, input: job.input, output: job.output, from: job.from, to: job.to });
    try {
      await mkdir(dirname(job.output), { recursive: true });
      const result = await clip({
        input: job.input, output: job.output, from: job.from, to: job.to, mode, preset, info: job.info,
        ...(signal ? { signal } : {}),
        onProgress: (percent) => {
          const now = performance.now();
          if (now - last < interval || percent >= 100) return;
          last = now;
          this.safeEmit('progress', { row: job.row, percent: Math.round(percent * 10) / 10 });
        },
      });
      await ledger?.record(job, result);
      this.#counts.done++;
      this.safeEmit('done', { row: job.row, output: result.output, actual: result.actual, duration: result.duration, frames: result.frames });
    } catch (err) {
      // A clip stopped by Ctrl-C is not a failure: it simply did not happen (clip() removed its temp files).
      if (err instanceof AbortedError || signal?.aborted) return;
      log('row %d failed: %O', job.row, err);
      this.#counts.failed++;
      this.safeEmit('error', rowError(job.row, asRowFailure(err, job.output)));
    }
  }
}
