// The arithmetic of a lesson's sound: noise-floor calibration, loudness curve, pauses and quiet stretches.
// Pure functions over what the measuring filters printed, so each rule can be tested on its own.
import type { AnalysisPreset } from './presets.js';
import type { Silence, TimedValue } from './analysis-log.js';

/** Lowest level we report; ebur128 prints about -120.7 LUFS (or -inf) for digital silence. */
export const FLOOR_DB = -120;

/** Windows whose sample peak is below this are digital silence, not room noise (16-bit dither is about -96). */
export const DIGITAL_SILENCE_DB = -90;

export interface Span {
  readonly start: number;
  readonly end: number;
  readonly duration: number;
}

export interface Calibration {
  /** Sample-peak level of the quietest 100 ms windows (the preset's percentile), dBFS. */
  readonly noiseFloorDb: number;
  /** The silencedetect threshold: floor + margin, clamped to the preset's bounds, dBFS. */
  readonly silenceThresholdDb: number;
  /** True when the clamp changed floor + margin. */
  readonly clamped: boolean;
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
export const round1 = (v: number) => round(v, 1);
export const round3 = (v: number) => round(v, 3);

/** A level clamped to FLOOR_DB (also for -inf). */
export function clampDb(v: number): number {
  return Number.isFinite(v) ? Math.max(FLOOR_DB, v) : v > 0 ? 0 : FLOOR_DB;
}

/** The p-th percentile (0..100) with linear interpolation; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Mean of levels in the power domain (how loudness values are averaged), in dB. */
export function energyMean(levels: readonly number[]): number {
  if (levels.length === 0) return Number.NaN;
  const mean = levels.reduce((s, v) => s + 10 ** (clampDb(v) / 10), 0) / levels.length;
  return clampDb(10 * Math.log10(mean));
}

/**
 * Threshold for silencedetect, calibrated to this recording. silencedetect compares every SAMPLE with the
 * threshold, so the floor is measured in the same terms: the sample peak of each 100 ms window. (A floor
 * taken from momentary loudness sits 5–12 dB below the noise's peaks and would find no silence at all.)
 */
export function calibrate(windowPeaks: readonly number[], preset: AnalysisPreset): Calibration {
  const levels = windowPeaks.map(clampDb);
  // Digital silence (a lead-in before the microphone opens, a muted stretch) is not the room's noise.
  const room = levels.filter((v) => v > DIGITAL_SILENCE_DB);
  const measured = room.length ? room : levels;
  const floor = measured.length ? percentile(measured, preset.noiseFloorPercentile) : FLOOR_DB;
  const wanted = floor + preset.silenceAboveFloorDb;
  const threshold = Math.min(preset.silenceMaxDb, Math.max(preset.silenceMinDb, wanted));
  return { noiseFloorDb: round1(floor), silenceThresholdDb: round1(threshold), clamped: Math.abs(threshold - wanted) > 1e-9 };
}

/**
 * Momentary loudness samples as printed per 100 ms frame, re-timed to the middle of their 400 ms window;
 * the first windows (not yet full) are dropped.
 */
export function momentarySeries(printed: readonly TimedValue[]): TimedValue[] {
  return printed.filter((s) => s.t >= 0.3 - 1e-6).map((s) => ({ t: Math.max(0, s.t - 0.1), value: clampDb(s.value) }));
}

/** Loudness curve: momentary loudness averaged (power domain) over steps of `step` seconds. */
export function loudnessCurve(series: readonly TimedValue[], step: number, duration: number): number[] {
  const n = Math.max(1, Math.ceil(duration / step - 1e-9));
  const buckets: number[][] = Array.from({ length: n }, () => []);
  for (const s of series) buckets[Math.min(n - 1, Math.max(0, Math.floor(s.t / step)))]!.push(s.value);
  const out: number[] = [];
  let last = FLOOR_DB;
  for (const b of buckets) {
    last = b.length ? round1(energyMean(b)) : last;
    out.push(last);
  }
  return out;
}

/** Silences clipped to [0, duration]; one left open at the end of input ends at `duration`. */
export function closeSilences(silences: readonly Silence[], duration: number): Span[] {
  const out: Span[] = [];
  for (const s of silences) {
    const start = round3(Math.min(duration, Math.max(0, s.start)));
    const end = round3(Math.min(duration, Math.max(start, s.end ?? duration)));
    if (end > start) out.push({ start, end, duration: round3(end - start) });
  }
  return out;
}

export function totalSeconds(spans: readonly Span[]): number {
  return spans.reduce((s, x) => s + x.duration, 0);
}

/** Silences long enough to count as pauses. */
export function longPauses(silences: readonly Span[], minSeconds: number): Span[] {
  return silences.filter((s) => s.duration >= minSeconds - 1e-9);
}

function inside(t: number, spans: readonly Span[]): boolean {
  return spans.some((s) => t >= s.start && t < s.end);
}

/**
 * Stretches where someone is audible but too quiet: steps whose non-silent momentary loudness averages
 * under `quietLufs`, for at least `minSeconds` in a row. Steps that are mostly silence break a stretch.
 */
export function quietStretches(series: readonly TimedValue[], silences: readonly Span[], opts: {
  step: number; duration: number; quietLufs: number; minSeconds: number;
}): Span[] {
  const n = Math.max(1, Math.ceil(opts.duration / opts.step - 1e-9));
  const all = Array.from({ length: n }, () => 0);
  const sounding: number[][] = Array.from({ length: n }, () => []);
  for (const s of series) {
    const i = Math.min(n - 1, Math.max(0, Math.floor(s.t / opts.step)));
    all[i]!++;
    if (!inside(s.t, silences)) sounding[i]!.push(s.value);
  }
  const quiet = sounding.map((vals, i) => vals.length > 0 && vals.length * 2 >= all[i]! && energyMean(vals) < opts.quietLufs);
  const out: Span[] = [];
  for (let i = 0; i < n; ) {
    if (!quiet[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && quiet[j + 1]) j++;
    const start = round3(i * opts.step);
    const end = round3(Math.min(opts.duration, (j + 1) * opts.step));
    if (end - start >= opts.minSeconds - 1e-9) out.push({ start, end, duration: round3(end - start) });
    i = j + 1;
  }
  return out;
}

