// Keyframe requests towards a publisher, aggregated: at most one PLI per interval, never periodic.
export class KeyframeRequester {
  readonly #send: () => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #last = -Infinity;
  #pending: NodeJS.Timeout | undefined;
  #closed = false;
  /** PLIs actually sent. */
  sent = 0;
  /** Requests received (from viewers joining, viewers' PLIs, switches). */
  requested = 0;

  constructor(send: () => void, intervalMs = 1000, now: () => number = Date.now) {
    this.#send = send;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Ask for a keyframe: sent now if the last one is older than the interval, else once at the window's end. */
  request(): void {
    if (this.#closed) return;
    this.requested++;
    const wait = this.#last + this.#intervalMs - this.#now();
    if (wait <= 0) {
      this.#fire();
    } else if (!this.#pending) {
      this.#pending = setTimeout(() => {
        this.#pending = undefined;
        this.#fire();
      }, wait);
      this.#pending.unref();
    }
  }

  /**
   * A request that cannot wait out the interval (a venue handoff): sent now unless a PLI went out in the last
   * `minGapMs`, else as soon as that gap has passed. Still counted against the same window.
   */
  requestUrgent(minGapMs = 250): void {
    if (this.#closed) return;
    this.requested++;
    const wait = this.#last + minGapMs - this.#now();
    if (wait <= 0) {
      if (this.#pending) clearTimeout(this.#pending);
      this.#pending = undefined;
      this.#fire();
      return;
    }
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#fire();
    }, wait);
    this.#pending.unref();
  }

  #fire(): void {
    if (this.#closed) return;
    this.#last = this.#now();
    this.sent++;
    this.#send();
  }

  close(): void {
    this.#closed = true;
    if (this.#pending) clearTimeout(this.#pending);
  }
}
