// The events of a clip batch: the runner (media) emits them, renderers (Ink, NDJSON, text) subscribe.
// Types only, here in core so that src/ui can depend on them without importing media.

/** The batch is planned: every row's count, and the rows that can run (some may then be skipped), with their length. */
export interface BatchPlanEvent {
  readonly total: number;
  readonly jobs: readonly { readonly row: number; readonly seconds: number }[];
}

export interface BatchStartEvent {
  readonly row: number;
  readonly input: string;
  readonly output: string;
  readonly from: number;
  readonly to: number;
}

export interface BatchProgressEvent {
  readonly row: number;
  /** 0..100 */
  readonly percent: number;
}

export interface BatchDoneEvent {
  readonly row: number;
  readonly output: string;
  readonly actual: { readonly from: number; readonly to: number };
  readonly duration: number;
  readonly frames: number;
}

export type SkipReason = 'already-done';

export interface BatchSkippedEvent {
  readonly row: number;
  readonly output: string;
  readonly reason: SkipReason;
}

export interface BatchErrorEvent {
  readonly row: number;
  /** Machine code (a catalogue key such as BAD_TIME, INPUT_MISSING, FFMPEG_FAILED). */
  readonly code: string;
  /** Localised reason, without the row number. */
  readonly message: string;
}

export interface BatchSummary {
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly total: number;
  /** Rows not run because the batch was interrupted. */
  readonly remaining: number;
  readonly interrupted: boolean;
  /** Wall time in seconds. */
  readonly elapsed: number;
}

/** Event map for TypedEmitter. */
export type BatchEvents = {
  plan: [BatchPlanEvent];
  start: [BatchStartEvent];
  progress: [BatchProgressEvent];
  done: [BatchDoneEvent];
  skipped: [BatchSkippedEvent];
  error: [BatchErrorEvent];
  summary: [BatchSummary];
};

/** What a renderer needs from the runner: subscribe and unsubscribe. */
export interface BatchEventSource {
  on<K extends keyof BatchEvents & string>(event: K, listener: (...args: BatchEvents[K]) => void): unknown;
  off<K extends keyof BatchEvents & string>(event: K, listener: (...args: BatchEvents[K]) => void): unknown;
}
