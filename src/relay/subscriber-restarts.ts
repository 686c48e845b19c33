// How often a participant's subscribing connection may be started afresh. A connection whose DTLS or ICE fails
// (werift clients in a join storm: the DTLS handshake times out) is replaced by a new one — by the relay when it
// sees `failed`, or when the client asks (`resubscribe`). A peer whose connections keep failing would otherwise
// make the relay build connections forever: past the budget the relay gives up and tells the client.
// The headless client uses the same budget for its `resubscribe` requests.
import { RefusedError } from '../core/errors.js';

/** Restarts allowed within RESTART_WINDOW_MS, per participant. */
export const MAX_SUBSCRIBER_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

/** A sliding-window budget: at most `max` restarts within any `windowMs`. */
export class RestartBudget {
  readonly max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #taken: number[] = [];

  constructor(opts: { max?: number; windowMs?: number; now?: () => number } = {}) {
    this.max = opts.max ?? MAX_SUBSCRIBER_RESTARTS;
    this.#windowMs = opts.windowMs ?? RESTART_WINDOW_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** Whether one more restart is allowed now; an allowed one is counted. */
  take(): boolean {
    const now = this.#now();
    while (this.#taken.length > 0 && now - this.#taken[0]! >= this.#windowMs) this.#taken.shift();
    if (this.#taken.length >= this.max) return false;
    this.#taken.push(now);
    return true;
  }
}

/** One participant's restarts: the budget, and which connection a client's `resubscribe` is about. */
export class SubscriberRestarts {
  readonly #budget: RestartBudget;
  /** The version of the current connection's first offer. */
  #since = 0;

  constructor(budget = new RestartBudget()) {
    this.#budget = budget;
  }

  /**
   * Whether to start a new connection now (counted when true). `answered` (a client's `resubscribe`): the last
   * version it answered on its failed connection — false when that connection was already replaced. Past the
   * budget: RefusedError SUBSCRIBE_RESTART_LIMIT.
   */
  allow(answered?: number): boolean {
    if (answered !== undefined && answered < this.#since) return false;
    if (!this.#budget.take()) throw new RefusedError('SUBSCRIBE_RESTART_LIMIT', { count: this.#budget.max });
    return true;
  }

  /** The new connection's first offer has this version. */
  started(version: number): void {
    this.#since = version;
  }
}
