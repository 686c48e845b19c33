// How much a viewer's link can take (kbit/s), from what the viewer tells the relay: its receiver reports (loss) and,
// when it sends them, REMB (its own delay-based estimate). The loss-based part is GCC's: loss above 10 % lowers the
// estimate, below 2 % it grows 8 % a second, in between it holds. Pure: fed reports and the time.
//
// Two departures from GCC, both for a relay that forwards rather than encodes:
//   - A decrease goes to min(estimate, delivered rate) × factor, the delivered rate being what was sent times
//     (1 − loss): a viewer that suddenly gets a tenth of what it is sent drops at once to what got through, not by
//     15 % a report.
//   - A viewer whose video is paused is sent audio only, and a clean link then says nothing about video. After a few
//     clean reports in a row an estimate below the low layer's threshold is raised to it: a probe. If video does not
//     fit — loss above 10 % within the next reports — the estimate goes back below the floor at once (video pauses
//     again; the layer chooser waits longer before the next try).
import type { AdaptationPreset } from './adaptation-preset.js';

export type EstimatorConfig = Pick<AdaptationPreset, 'startKbps' | 'lossBased' | 'rembFreshSeconds'> & {
  /** Where a probe puts the estimate: the threshold at which paused video resumes. */
  readonly probeKbps: number;
  /** Below this video pauses: where a failed probe leaves the estimate (at most). */
  readonly floorKbps: number;
};

/** A probe that has met no heavy loss in this many reports (~5 s: a 300 ms queue on a thin link fills slowly) has succeeded. */
const PROBE_REPORTS = 5;

export class DownlinkEstimator {
  readonly #cfg: EstimatorConfig;
  #kbps: number;
  #remb: { kbps: number; at: number } | undefined;
  #lastReportAt: number | undefined;
  #cleanInARow = 0;
  /** Reports since a probe raised the estimate (undefined: no probe on). REMB, which follows traffic, lags a probe. */
  #probe: number | undefined;
  /** A probe that REMB has not caught up with yet. */
  #probing = false;
  /** Loss of the last report (0..1), null before the first. */
  lastLoss: number | null = null;

  constructor(cfg: EstimatorConfig) {
    this.#cfg = cfg;
    this.#kbps = cfg.startKbps;
  }

  /**
   * A receiver report: `loss` (0..1) of the packets sent since the previous one, and the rate the relay sent this
   * viewer meanwhile (kbit/s on the wire).
   */
  report(loss: number, sendKbps: number, now: number): void {
    const c = this.#cfg.lossBased;
    const seconds = this.#lastReportAt === undefined ? 1 : Math.min(5, Math.max(0, (now - this.#lastReportAt) / 1000));
    this.#lastReportAt = now;
    this.lastLoss = loss;
    if (loss > c.decreaseAboveLoss) {
      const probeFailed = this.#probe !== undefined;
      this.#cleanInARow = 0;
      this.#probing = false;
      this.#probe = undefined;
      const delivered = Math.max(0, sendKbps) * (1 - loss);
      this.#kbps = Math.max(c.minKbps, Math.min(this.#kbps, delivered) * c.decreaseFactor);
      if (probeFailed) this.#kbps = Math.min(this.#kbps, this.#cfg.floorKbps * c.decreaseFactor);
      return;
    }
    if (this.#probe !== undefined && ++this.#probe >= PROBE_REPORTS) this.#probe = undefined;
    if (loss >= c.increaseBelowLoss) {
      this.#cleanInARow = 0;
      return; // hold
    }
    this.#cleanInARow++;
    this.#kbps = Math.min(c.maxKbps, this.#kbps * (1 + c.increasePerSecond) ** seconds);
    if (this.#kbps < this.#cfg.probeKbps && this.#cleanInARow >= c.cleanReportsToProbe) {
      this.#kbps = this.#cfg.probeKbps;
      this.#probing = true;
      this.#probe = 0;
    }
  }

  /** A REMB from the viewer (kbit/s). */
  remb(kbps: number, now: number): void {
    this.#remb = { kbps, at: now };
    if (kbps >= this.#kbps) this.#probing = false;
  }

  /** The estimate now: the loss-based one, capped by a fresh REMB (except while a probe waits for REMB to follow). */
  kbps(now: number): number {
    const r = this.#remb;
    const fresh = r !== undefined && now - r.at <= this.#cfg.rembFreshSeconds * 1000;
    return fresh && !this.#probing ? Math.min(this.#kbps, r.kbps) : this.#kbps;
  }
}
