// What a teacher has watched of a recording: lists of [start, end] in seconds, kept sorted and merged, and the
// plausibility cap on what one progress report may add. Pure functions, no clock of their own.

export type Range = readonly [number, number];
export type Ranges = [number, number][];

/** Watched ≥ this share of the duration counts as finished. */
export const FINISHED_SHARE = 0.95;
/** Media seconds a report may add per second of wall time (playback up to twice as fast). */
export const MAX_RATE = 2;
/** Seconds a report may add beyond the rate (clock skew, rounding, the last moments before a report). */
export const SLACK_SECONDS = 5;
/** Most separate ranges kept per person: a report that would need more is not counted. */
export const MAX_RANGES = 500;

const ms = (s: number) => Math.round(s * 1000) / 1000;

/** Sorted, inverted and empty ranges dropped, overlapping or touching ones joined; times rounded to ms. */
export function mergeRanges(ranges: readonly Range[]): Ranges {
  const sorted = ranges
    .map(([a, b]): [number, number] => [ms(a), ms(b)])
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && b > a)
    .sort((x, y) => x[0] - y[0]);
  const out: Ranges = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Total seconds covered (the ranges merged first, so overlaps count once). */
export function totalLength(ranges: readonly Range[]): number {
  return ms(mergeRanges(ranges).reduce((sum, [a, b]) => sum + (b - a), 0));
}

/** The ranges cut to [0, duration], merged. */
export function clampRanges(ranges: readonly Range[], duration: number): Ranges {
  const end = Math.max(0, duration);
  return mergeRanges(ranges.map(([a, b]): [number, number] => [Math.max(0, a), Math.min(end, b)]));
}

/** The parts of `a` not covered by `b`, merged. */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Ranges {
  const cut = mergeRanges(b);
  const out: Ranges = [];
  for (const [start, end] of mergeRanges(a)) {
    let from = start;
    for (const [cs, ce] of cut) {
      if (ce <= from || cs >= end) continue;
      if (cs > from) out.push([from, cs]);
      from = Math.max(from, ce);
      if (from >= end) break;
    }
    if (from < end) out.push([from, end]);
  }
  return mergeRanges(out);
}

/** The first `seconds` of the ranges, in order of the lesson (the last one shortened). */
export function firstSeconds(ranges: readonly Range[], seconds: number): Ranges {
  const out: Ranges = [];
  let left = Math.max(0, seconds);
  for (const [a, b] of mergeRanges(ranges)) {
    if (left <= 0) break;
    const take = Math.min(b - a, left);
    out.push([a, a + take]);
    left -= take;
  }
  return mergeRanges(out);
}

/**
 * Seconds one report may add: wall time since the anchor (the previous report, else when the page was opened)
 * × MAX_RATE + SLACK_SECONDS. With no anchor at all, only the slack.
 */
export function reportBudget(nowMs: number, anchorMs: number | undefined): number {
  const wall = anchorMs === undefined ? 0 : Math.max(0, nowMs - anchorMs) / 1000;
  return wall * MAX_RATE + SLACK_SECONDS;
}

/**
 * Merge a report into what was watched: reported ranges are cut to the recording, only what is new counts, and
 * at most `budget` new seconds are taken (the earliest first); the rest is not counted. A report that would leave
 * more than MAX_RANGES separate ranges adds nothing.
 */
export function creditReport(watched: readonly Range[], reported: readonly Range[], duration: number, budget: number): { watched: Ranges; added: number } {
  const before = mergeRanges(watched);
  const fresh = subtractRanges(clampRanges(reported, duration), before);
  const credited = firstSeconds(fresh, budget);
  const after = mergeRanges([...before, ...credited]);
  if (after.length > MAX_RANGES) return { watched: before, added: 0 };
  return { watched: after, added: ms(totalLength(after) - totalLength(before)) };
}

/** Finished: watched at least FINISHED_SHARE of a known duration. */
export function isFinished(watched: readonly Range[], duration: number): boolean {
  return duration > 0 && totalLength(watched) >= FINISHED_SHARE * duration;
}
