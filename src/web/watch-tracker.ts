// What the viewer actually watched, from the video's own clock: a span grows only while playback moves on in
// small steps (timeupdate fires every ~250 ms; up to MAX_STEP of media time between two covers playbackRate 2 and
// a late event). A seek, a jump, or time going back closes the span; the next one starts where playback goes on,
// so skipping ahead adds nothing in between. Pure (no DOM): player-progress.ts feeds it the video's events.

export type Span = [number, number];

/** Most media seconds between two time updates that still count as continuous playback. */
export const MAX_STEP = 2;
/** Most spans one report carries (the relay takes up to 200). */
export const MAX_SPANS = 100;

/** Spans sorted and joined where they overlap or touch. */
export function joinSpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const [a, b] of [...spans].filter(([x, y]) => y > x).sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export class WatchTracker {
  readonly #maxStep: number;
  /** Closed spans not yet reported. */
  #pending: Span[] = [];
  /** The span growing now. */
  #current: Span | null = null;
  /** Media time of the last update that counted, null after a break. */
  #last: number | null = null;

  constructor(maxStep = MAX_STEP) {
    this.#maxStep = maxStep;
  }

  /** Playback is at `time` (a timeupdate while playing and not seeking, or the moment of a pause or the end). */
  at(time: number): void {
    if (!Number.isFinite(time) || time < 0) return;
    const last = this.#last;
    if (last !== null && this.#current && time >= last && time - last <= this.#maxStep) {
      this.#current[1] = time;
    } else if (last === null || time !== last) {
      this.#close();
      this.#current = [time, time];
    }
    this.#last = time;
  }

  /** Continuity is broken (a seek started): nothing counts until playback reports its new position. */
  break(): void {
    this.#close();
    this.#last = null;
  }

  get hasPending(): boolean {
    return this.#pending.length > 0 || (!!this.#current && this.#current[1] > this.#current[0]);
  }

  /** The spans to report now, the growing one up to where it is; they leave the tracker. */
  take(): Span[] {
    const spans = [...this.#pending];
    if (this.#current && this.#current[1] > this.#current[0]) {
      spans.push([this.#current[0], this.#current[1]]);
      this.#current = [this.#current[1], this.#current[1]];
    }
    const all = joinSpans(spans);
    this.#pending = all.slice(MAX_SPANS);
    return all.slice(0, MAX_SPANS);
  }

  /** Spans whose report failed: they go out again with the next one. */
  giveBack(spans: readonly Span[]): void {
    this.#pending = joinSpans([...spans, ...this.#pending]);
  }

  #close(): void {
    if (this.#current && this.#current[1] > this.#current[0]) this.#pending.push(this.#current);
    this.#current = null;
  }
}
