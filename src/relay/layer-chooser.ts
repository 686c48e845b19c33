// Which quality a viewer can take, from its bandwidth estimate, with hysteresis: downgrade at once, upgrade only
// after the estimate has stayed above the next threshold for a while — and twice as long after an upgrade that
// had to be undone. Pure: fed the estimate (kbit/s) and the time; the caller maps the level onto real layers.
import type { AdaptationPreset } from './adaptation-preset.js';

/** 0: audio only (video paused), 1: low, 2: middle, 3: high. */
export type Level = 0 | 1 | 2 | 3;

export type ChooserConfig = Pick<AdaptationPreset, 'layers' | 'hysteresis'>;

const LEVELS = [1, 2, 3] as const;
/** The wait after a failed upgrade whose base wait is none (resuming video): doubled from here. */
const MIN_FAILED_HOLD_MS = 500;

export class LayerChooser {
  readonly #from: Record<1 | 2 | 3, number>;
  readonly #floor: number;
  readonly #baseHoldMs: Record<1 | 2 | 3, number>;
  readonly #maxHoldMs: Record<1 | 2 | 3, number>;
  readonly #failedWithinMs: number;
  /** Current wait before an upgrade to each level (doubles after a failed one). */
  readonly #holdMs: Record<1 | 2 | 3, number>;
  /** Since when the estimate has been at or above each level's threshold (undefined: it is below). */
  readonly #since: Record<1 | 2 | 3, number | undefined> = { 1: undefined, 2: undefined, 3: undefined };
  /** When the viewer was last moved up to each level. */
  readonly #upgradedAt: Record<1 | 2 | 3, number> = { 1: -Infinity, 2: -Infinity, 3: -Infinity };
  #level: Level;

  constructor(cfg: ChooserConfig, estimateKbps: number, now: number) {
    const l = cfg.layers;
    const h = cfg.hysteresis;
    this.#from = { 1: l.lowFromKbps, 2: l.midFromKbps, 3: l.highFromKbps };
    this.#floor = l.audioOnlyBelowKbps;
    this.#baseHoldMs = { 1: h.resumeHoldSeconds * 1000, 2: h.upgradeHoldSeconds * 1000, 3: h.upgradeHoldSeconds * 1000 };
    this.#holdMs = { ...this.#baseHoldMs };
    this.#maxHoldMs = { 1: (h.maxResumeHoldSeconds ?? h.maxHoldSeconds) * 1000, 2: h.maxHoldSeconds * 1000, 3: h.maxHoldSeconds * 1000 };
    this.#failedWithinMs = h.failedWithinSeconds * 1000;
    // Nothing to hold against yet: start where the estimate says.
    this.#level = this.#fits(estimateKbps, 0);
    this.update(estimateKbps, now);
  }

  get level(): Level {
    return this.#level;
  }

  /** The current wait before an upgrade to `level` (ms). */
  holdMs(level: 1 | 2 | 3): number {
    return this.#holdMs[level];
  }

  /** Feed the current estimate; returns the level the viewer should have now. */
  update(estimateKbps: number, now: number): Level {
    const down = this.#fits(estimateKbps, this.#level);
    if (down < this.#level) {
      for (const l of LEVELS) {
        if (l > down && l <= this.#level && now - this.#upgradedAt[l] <= this.#failedWithinMs) {
          this.#holdMs[l] = Math.min(this.#maxHoldMs[l], Math.max(this.#holdMs[l] * 2, MIN_FAILED_HOLD_MS));
        }
      }
      this.#level = down;
    }
    for (const l of LEVELS) {
      if (estimateKbps >= this.#from[l]) this.#since[l] ??= now;
      else this.#since[l] = undefined;
    }
    // Straight to the best level whose threshold has held long enough (a step at a time is not needed).
    for (const l of [3, 2, 1] as const) {
      if (l <= this.#level) break;
      const since = this.#since[l];
      if (since !== undefined && now - since >= this.#holdMs[l]) {
        this.#level = l;
        this.#upgradedAt[l] = now;
        break;
      }
    }
    // A level kept past the failure window has proved itself: its next upgrade waits the base time again.
    for (const l of LEVELS) if (l <= this.#level && now - this.#upgradedAt[l] > this.#failedWithinMs) this.#holdMs[l] = this.#baseHoldMs[l];
    return this.#level;
  }

  /**
   * The best level the estimate covers. Between the floor and the low threshold a viewer with video keeps the
   * low layer and a paused one stays paused (the band is the hysteresis at the bottom).
   */
  #fits(kbps: number, current: Level): Level {
    if (kbps < this.#floor) return 0;
    if (kbps >= this.#from[3]) return 3;
    if (kbps >= this.#from[2]) return 2;
    if (kbps >= this.#from[1]) return 1;
    return current >= 1 ? 1 : 0;
  }
}
