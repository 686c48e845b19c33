// Per-viewer adaptation, the pure parts: the layer chooser's hysteresis (downgrade at once, upgrade after a hold
// that doubles after a failed upgrade, the floor below which video pauses) and the loss-based downlink estimator
// (GCC's bands, the decrease to the delivered rate, the probe that lets paused video come back, REMB).
import { describe, expect, it } from 'vitest';
import { adaptationPresetSchema, defaultAdaptationPreset, loadAdaptationPreset } from '../../src/relay/adaptation-preset.js';
import { DownlinkEstimator } from '../../src/relay/downlink-estimator.js';
import { LayerChooser } from '../../src/relay/layer-chooser.js';
import { TEST_PRESET } from '../helpers/adaptation-preset.js';

const PRESET = TEST_PRESET;

const s = (seconds: number) => seconds * 1000;

describe('the adaptation preset', () => {
  it('ships with the published thresholds and refuses thresholds that do not rise', () => {
    const p = defaultAdaptationPreset();
    expect(p.layers).toEqual({ audioOnlyBelowKbps: 80, lowFromKbps: 150, midFromKbps: 350, highFromKbps: 900 });
    expect(p.lossBased).toMatchObject({ decreaseAboveLoss: 0.1, increaseBelowLoss: 0.02 });
    expect(adaptationPresetSchema.safeParse({ ...PRESET, layers: { ...PRESET.layers, midFromKbps: 100 } }).success).toBe(false);
    expect(() => loadAdaptationPreset('no-such-preset')).toThrow(/no-such-preset/);
  });
});

describe('the layer chooser', () => {
  it('starts at the level the estimate covers', () => {
    expect(new LayerChooser(PRESET, 1500, 0).level).toBe(3);
    expect(new LayerChooser(PRESET, 400, 0).level).toBe(2);
    expect(new LayerChooser(PRESET, 200, 0).level).toBe(1);
    expect(new LayerChooser(PRESET, 120, 0).level).toBe(0); // in the band, nothing to keep: no video yet
    expect(new LayerChooser(PRESET, 50, 0).level).toBe(0);
  });

  it('downgrades at once, straight to what the estimate covers', () => {
    const c = new LayerChooser(PRESET, 1500, 0);
    expect(c.update(400, s(1))).toBe(2);
    expect(c.update(200, s(1.1))).toBe(1);
    expect(c.update(60, s(1.2))).toBe(0);
    const d = new LayerChooser(PRESET, 1500, 0);
    expect(d.update(70, s(1))).toBe(0);
  });

  it('keeps the low layer between the floor and the low threshold, and keeps paused video paused there', () => {
    const c = new LayerChooser(PRESET, 200, 0);
    expect(c.update(100, s(1))).toBe(1);
    expect(c.update(81, s(20))).toBe(1);
    expect(c.update(79, s(21))).toBe(0);
    expect(c.update(149, s(40))).toBe(0);
  });

  it('upgrades only after the estimate has stayed above the next threshold for the hold', () => {
    const c = new LayerChooser(PRESET, 200, 0);
    expect(c.update(1000, s(10))).toBe(1);
    expect(c.update(1000, s(12.9))).toBe(1);
    expect(c.update(1000, s(13))).toBe(3); // straight to the best level that held
    const d = new LayerChooser(PRESET, 200, 0);
    d.update(1000, s(10));
    d.update(500, s(12)); // dipped below high (still above mid): the high hold starts again
    expect(d.update(1000, s(13))).toBe(2);
    expect(d.update(1000, s(15.9))).toBe(2);
    expect(d.update(1000, s(16))).toBe(3);
  });

  it('resumes paused video after the short resume hold once the estimate reaches the low threshold', () => {
    const c = new LayerChooser(PRESET, 50, 0);
    expect(c.update(150, s(1))).toBe(0);
    expect(c.update(150, s(1.4))).toBe(0);
    expect(c.update(150, s(1.5))).toBe(1);
  });

  it('doubles the hold after an upgrade that had to be undone, and forgets it once a level has held', () => {
    const c = new LayerChooser(PRESET, 200, 0);
    c.update(400, s(1));
    expect(c.update(400, s(4))).toBe(2); // held 3 s
    expect(c.update(200, s(5))).toBe(1); // failed within 10 s
    expect(c.holdMs(2)).toBe(6000);
    c.update(400, s(6));
    expect(c.update(400, s(9))).toBe(1); // 3 s are no longer enough
    expect(c.update(400, s(12))).toBe(2);
    expect(c.update(200, s(13))).toBe(1); // failed again
    expect(c.holdMs(2)).toBe(12000);
    c.update(400, s(14));
    expect(c.update(400, s(26))).toBe(2);
    expect(c.update(400, s(37))).toBe(2); // held past the failure window
    expect(c.holdMs(2)).toBe(3000);
    expect(c.update(200, s(60))).toBe(1); // a downgrade long after the upgrade is no failure
    expect(c.holdMs(2)).toBe(3000);
  });

  it('caps the doubled hold', () => {
    const c = new LayerChooser(PRESET, 50, 0);
    let t = 0;
    for (let i = 0; i < 10; i++) {
      c.update(150, (t += 100));
      while (c.update(150, (t += 100)) === 0);
      c.update(50, (t += 100)); // the resumed video did not fit
    }
    expect(c.holdMs(1)).toBe(30_000);
  });

  it('keeps the wait before paused video is tried again short when the preset says so (link recovered → video soon)', () => {
    const c = new LayerChooser({ ...PRESET, hysteresis: { ...PRESET.hysteresis, maxResumeHoldSeconds: 1 } }, 50, 0);
    let t = 0;
    for (let i = 0; i < 10; i++) {
      c.update(150, (t += 100));
      while (c.update(150, (t += 100)) === 0);
      c.update(50, (t += 100)); // the resumed video did not fit
    }
    expect(c.holdMs(1)).toBe(1000);
    expect(c.holdMs(2)).toBe(3000); // upgrades above the low layer keep their own hold
  });
});

describe('the loss-based estimator', () => {
  const est = () => new DownlinkEstimator({ ...PRESET, probeKbps: PRESET.layers.lowFromKbps, floorKbps: PRESET.layers.audioOnlyBelowKbps });

  it('starts at the preset’s start estimate and holds between 2 % and 10 % loss', () => {
    const e = est();
    expect(e.kbps(0)).toBe(1500);
    e.report(0.05, 1200, s(1));
    e.report(0.09, 1200, s(2));
    expect(e.kbps(s(2))).toBe(1500);
    expect(e.lastLoss).toBe(0.09);
  });

  it('drops to what got through, with a margin, when loss exceeds 10 %', () => {
    const e = est();
    e.report(0.9, 1300, s(1)); // a 150 kbit/s link sent 1.3 Mbit/s
    expect(e.kbps(s(1))).toBeCloseTo(1300 * 0.1 * 0.85, 5);
    e.report(0.2, 200, s(2)); // still too much: down again, from the lower of estimate and delivered
    expect(e.kbps(s(2))).toBeCloseTo(Math.min(110.5, 200 * 0.8) * 0.85, 5);
    e.report(1, 100, s(3));
    expect(e.kbps(s(3))).toBe(30); // never below the minimum
  });

  it('grows 8 % a second below 2 % loss', () => {
    const e = est();
    e.report(0.2, 500, s(1)); // 340
    e.report(0, 300, s(2));
    expect(e.kbps(s(2))).toBeCloseTo(340 * 1.08, 5);
    e.report(0.01, 300, s(4.5));
    expect(e.kbps(s(4.5))).toBeCloseTo(340 * 1.08 * 1.08 ** 2.5, 5);
  });

  it('probes: an estimate below the low layer jumps to it after two clean reports in a row, not after one', () => {
    const e = est();
    e.report(0.5, 100, s(1)); // 42.5: video paused
    e.report(0, 50, s(2));
    expect(e.kbps(s(2))).toBeLessThan(150);
    e.report(0.04, 50, s(3)); // a lossy report breaks the run
    e.report(0, 50, s(4));
    expect(e.kbps(s(4))).toBeLessThan(150);
    e.report(0, 50, s(5));
    expect(e.kbps(s(5))).toBe(150);
    e.report(0.3, 200, s(6)); // the probe failed: below the floor at once (video pauses again)
    expect(e.kbps(s(6))).toBeCloseTo(80 * 0.85, 5);
  });

  it('lets a probe that met no heavy loss in five reports stand: later loss is ordinary loss', () => {
    const e = est();
    e.report(0.5, 100, s(1));
    e.report(0, 50, s(2));
    e.report(0, 50, s(3)); // probe: 150
    e.report(0.05, 160, s(4));
    e.report(0.05, 160, s(5));
    e.report(0.01, 160, s(6));
    e.report(0, 160, s(7));
    e.report(0, 160, s(8)); // five reports: the low layer fits
    const before = e.kbps(s(8));
    e.report(0.2, 170, s(9));
    expect(e.kbps(s(9))).toBeCloseTo(Math.min(before, 170 * 0.8) * 0.85, 5);
    expect(e.kbps(s(9))).toBeGreaterThan(80);
  });

  it('takes a fresh REMB as a cap, forgets a stale one, and lets a probe run ahead of REMB', () => {
    const e = est();
    e.remb(400, s(1));
    expect(e.kbps(s(1))).toBe(400);
    expect(e.kbps(s(4.5))).toBe(1500); // 3.5 s old
    e.report(0.5, 100, s(5)); // 42.5
    e.remb(60, s(5));
    e.report(0, 50, s(6));
    e.report(0, 50, s(7)); // probe to 150 although REMB (which follows the audio-only traffic) says 60
    e.remb(70, s(7.5));
    expect(e.kbps(s(7.5))).toBe(150);
    e.remb(300, s(8)); // REMB caught up: it caps again
    e.remb(120, s(9));
    expect(e.kbps(s(9))).toBe(120);
  });
});
