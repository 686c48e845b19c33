// State of the live batch view, folded from the runner's events: running jobs, finished rows, overall
// progress and ETA. Lives outside React (no event is lost before the first render); the view reads snapshots.
import type {
  BatchDoneEvent, BatchErrorEvent, BatchEventSource, BatchEvents, BatchSkippedEvent, BatchSummary,
} from '../core/batch-events.js';

export interface RunningJob {
  readonly row: number;
  readonly output: string;
  /** 0..100 */
  readonly percent: number;
}

export type FinishedRow =
  | ({ readonly kind: 'done' } & BatchDoneEvent)
  | ({ readonly kind: 'skipped' } & BatchSkippedEvent)
  | ({ readonly kind: 'error' } & BatchErrorEvent);

export interface BatchCounts {
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly total: number;
}

export interface BatchViewState {
  readonly running: readonly RunningJob[];
  readonly finished: readonly FinishedRow[];
  readonly counts: BatchCounts;
  /** Share of the planned media seconds cut so far, 0..100. */
  readonly overall: number;
  /** Seconds left, once there is enough progress to estimate. */
  readonly etaSeconds?: number;
  readonly summary?: BatchSummary;
}

export class BatchViewStore {
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  readonly #seconds = new Map<number, number>();
  readonly #running = new Map<number, RunningJob>();
  readonly #unsubscribe: () => void;
  #finished: FinishedRow[] = [];
  #counts: BatchCounts = { done: 0, skipped: 0, failed: 0, total: 0 };
  #plannedSeconds = 0;
  #finishedSeconds = 0;
  #firstStart?: number;
  #summary?: BatchSummary;
  #snapshot: BatchViewState;

  constructor(source: BatchEventSource, now: () => number = () => performance.now()) {
    this.#now = now;
    this.#snapshot = this.#build();
    const handlers: { [K in keyof BatchEvents]: (...args: BatchEvents[K]) => void } = {
      plan: (e) => {
        this.#counts = { ...this.#counts, total: e.total };
        for (const j of e.jobs) this.#seconds.set(j.row, j.seconds);
        this.#plannedSeconds = e.jobs.reduce((s, j) => s + j.seconds, 0);
      },
      start: (e) => {
        this.#firstStart ??= this.#now();
        this.#running.set(e.row, { row: e.row, output: e.output, percent: 0 });
      },
      progress: (e) => {
        const job = this.#running.get(e.row);
        if (job) this.#running.set(e.row, { ...job, percent: e.percent });
      },
      done: (e) => {
        this.#finishJob(e.row, true);
        this.#counts = { ...this.#counts, done: this.#counts.done + 1 };
        this.#finished = [...this.#finished, { kind: 'done', ...e }];
      },
      skipped: (e) => {
        this.#finishJob(e.row, false);
        this.#counts = { ...this.#counts, skipped: this.#counts.skipped + 1 };
        this.#finished = [...this.#finished, { kind: 'skipped', ...e }];
      },
      error: (e) => {
        this.#finishJob(e.row, false);
        this.#counts = { ...this.#counts, failed: this.#counts.failed + 1 };
        this.#finished = [...this.#finished, { kind: 'error', ...e }];
      },
      summary: (s) => {
        this.#running.clear();
        this.#summary = s;
        this.#counts = { done: s.done, skipped: s.skipped, failed: s.failed, total: s.total };
      },
    };
    const listeners = (Object.keys(handlers) as (keyof BatchEvents)[]).map((event) => {
      const handler = handlers[event] as (...args: unknown[]) => void;
      const listener = (...args: unknown[]) => {
        handler(...args);
        this.#changed();
      };
      source.on(event, listener);
      return [event, listener] as const;
    });
    this.#unsubscribe = () => {
      for (const [event, listener] of listeners) source.off(event, listener);
    };
  }

  /** Subscribe to changes (for useSyncExternalStore); returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): BatchViewState => this.#snapshot;

  /** Recompute the ETA (time passes between events too). */
  tick(): void {
    this.#changed();
  }

  close(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #finishJob(row: number, succeeded: boolean): void {
    const planned = this.#seconds.get(row) ?? 0;
    this.#running.delete(row);
    if (succeeded) this.#finishedSeconds += planned;
    else this.#plannedSeconds -= planned; // skipped or failed work will not be done: it leaves the total
  }

  #changed(): void {
    this.#snapshot = this.#build();
    for (const l of this.#listeners) l();
  }

  #build(): BatchViewState {
    let workDone = this.#finishedSeconds;
    for (const j of this.#running.values()) workDone += ((this.#seconds.get(j.row) ?? 0) * j.percent) / 100;
    const planned = this.#plannedSeconds;
    const overall = this.#summary ? 100 : planned > 0 ? Math.min(100, (workDone / planned) * 100) : 0;
    let etaSeconds: number | undefined;
    if (this.#summary) etaSeconds = 0;
    else if (this.#firstStart !== undefined && workDone > 0 && planned > 0) {
      const elapsed = (this.#now() - this.#firstStart) / 1000;
      etaSeconds = Math.max(0, (elapsed * (planned - workDone)) / workDone);
    }
    return {
      running: [...this.#running.values()].sort((a, b) => a.row - b.row),
      finished: this.#finished,
      counts: this.#counts,
      overall,
      ...(etaSeconds !== undefined ? { etaSeconds } : {}),
      ...(this.#summary ? { summary: this.#summary } : {}),
    };
  }
}
