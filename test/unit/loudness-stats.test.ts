import { describe, expect, it } from 'vitest';
import {
  calibrate, closeSilences, energyMean, longPauses, loudnessCurve, momentarySeries, percentile, quietStretches,
  totalSeconds, FLOOR_DB,
} from '../../src/media/loudness-stats.js';
import type { AnalysisPreset } from '../../src/media/presets.js';

const preset: AnalysisPreset = {
  name: 'test', description: { en: '', zh: '' }, noiseFloorPercentile: 10, silenceAboveFloorDb: 6, silenceMinDb: -60,
  silenceMaxDb: -25, silenceMinSeconds: 0.5, longPauseSeconds: 3, quietLufs: -35, quietMinSeconds: 5, sceneThreshold: 0.3, curveStepSeconds: 1,
};

/** 100 ms series: `level` everywhere, `gap` inside the given spans. */
function series(duration: number, level: number, gap: number, spans: [number, number][]) {
  return Array.from({ length: Math.round(duration * 10) }, (_, i) => {
    const t = i / 10;
    return { t, value: spans.some(([a, b]) => t >= a && t < b) ? gap : level };
  });
}

describe('percentile and power mean', () => {
  it('interpolates between ranks', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([0, 10], 25)).toBe(2.5);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 10)).toBeNaN();
  });

  it('averages loudness in the power domain, not in dB', () => {
    expect(energyMean([-20, -20])).toBeCloseTo(-20, 6);
    // One loud second dominates a quiet one: 10·log10((1 + 0.001) / 2) ≈ -3 dB below the loud one.
    expect(energyMean([-20, -50])).toBeCloseTo(-23.006, 2);
    expect(energyMean([-Infinity, -Infinity])).toBe(FLOOR_DB);
  });
});

describe('silence threshold calibration', () => {
  it('puts the threshold a margin above the quiet windows of the recording', () => {
    const peaks = [...Array(20).fill(-52), ...Array(80).fill(-20)];
    const c = calibrate(peaks, preset);
    expect(c.noiseFloorDb).toBe(-52);
    expect(c.silenceThresholdDb).toBe(-46);
    expect(c.clamped).toBe(false);
  });

  it('follows a louder room', () => {
    const quiet = calibrate([...Array(20).fill(-52), ...Array(80).fill(-20)], preset);
    const loud = calibrate([...Array(20).fill(-36), ...Array(80).fill(-12)], preset);
    expect(loud.silenceThresholdDb - quiet.silenceThresholdDb).toBeCloseTo(16, 6);
  });

  it('clamps to the preset bounds, also for digital silence (-inf)', () => {
    const digital = calibrate([-Infinity, -6153, -Infinity], preset);
    expect(digital.noiseFloorDb).toBe(FLOOR_DB);
    expect(digital.silenceThresholdDb).toBe(-60);
    expect(digital.clamped).toBe(true);
    const noisy = calibrate(Array(10).fill(-10), preset);
    expect(noisy.silenceThresholdDb).toBe(-25);
    expect(noisy.clamped).toBe(true);
  });

  it('does not mistake a digitally silent lead-in for the room noise', () => {
    const peaks = [...Array(30).fill(-Infinity), ...Array(10).fill(-50), ...Array(60).fill(-20)];
    const c = calibrate(peaks, preset);
    expect(c.noiseFloorDb).toBe(-50);
    expect(c.silenceThresholdDb).toBe(-44);
  });
});

describe('loudness curve', () => {
  it('drops the first incomplete windows and re-times samples to the window middle', () => {
    const printed = [0, 0.1, 0.2, 0.3, 0.4].map((t) => ({ t, value: t < 0.3 ? -120.7 : -30 }));
    expect(momentarySeries(printed)).toEqual([{ t: expect.closeTo(0.2, 6), value: -30 }, { t: expect.closeTo(0.3, 6), value: -30 }]);
  });

  it('averages each step and keeps the last value over empty steps', () => {
    const s = series(4, -30, -60, [[2, 3]]);
    expect(loudnessCurve(s, 1, 4)).toEqual([-30, -30, -60, -30]);
    expect(loudnessCurve([{ t: 0.5, value: -40 }], 1, 3)).toEqual([-40, -40, -40]);
  });
});

describe('pauses and quiet stretches', () => {
  it('closes a silence still open at the end of input and clips to the duration', () => {
    const spans = closeSilences([{ start: 6, end: 9.5 }, { start: 38.5 }, { start: -0.01, end: 0.6 }], 40);
    expect(spans).toEqual([
      { start: 6, end: 9.5, duration: 3.5 },
      { start: 38.5, end: 40, duration: 1.5 },
      { start: 0, end: 0.6, duration: 0.6 },
    ]);
    expect(totalSeconds(spans)).toBeCloseTo(5.6, 6);
    expect(longPauses(spans, 3)).toEqual([{ start: 6, end: 9.5, duration: 3.5 }]);
  });

  it('finds audible but quiet talk, and not silence', () => {
    const s = series(30, -24, -44, [[10, 17]]).map((x) => (x.t >= 20 && x.t < 26 ? { ...x, value: -60 } : x));
    const silences = [{ start: 20, end: 26, duration: 6 }];
    const q = quietStretches(s, silences, { step: 1, duration: 30, quietLufs: -35, minSeconds: 5 });
    expect(q).toEqual([{ start: 10, end: 17, duration: 7 }]);
  });

  it('ignores quiet stretches shorter than the minimum', () => {
    const s = series(20, -24, -44, [[5, 8]]);
    expect(quietStretches(s, [], { step: 1, duration: 20, quietLufs: -35, minSeconds: 5 })).toEqual([]);
  });
});
