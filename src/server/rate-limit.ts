// Two limits guard the relay: failed invite-code look-ups per client address (a sliding window; codes are
// short, so guessing must be slow) and frames per WebSocket connection (a token bucket against floods).
import { isIP } from 'node:net';
import { RefusedError } from '../core/errors.js';

/** What a limiter says about one client. */
export interface LimitCheck {
  readonly allowed: boolean;
  /** Seconds until the next attempt is allowed (0 when allowed now). */
  readonly retryAfterSeconds: number;
}

export interface FailureLimiterOptions {
  /** Failures allowed inside one window (default 10). */
  readonly max?: number;
  /** Window length in ms (default 60 000). */
  readonly windowMs?: number;
  /** Most addresses remembered (default 10 000); the one that failed least recently is forgotten first. */
  readonly maxKeys?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t];
}

/**
 * The key an address is limited under: IPv4 as is (also when IPv4-mapped, `::ffff:1.2.3.4`), IPv6 by its /64
 * prefix (one subscriber usually holds a whole /64), anything else as given.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  // Canonical form first (WHATWG URL writes embedded IPv4 as hex), so every spelling shares one key.
  const canonical = new URL(`http://[${address.split('%')[0]!}]/`).hostname.slice(1, -1);
  const groups = expandIPv6(canonical);
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Counts failures (unknown invite codes, wrong keys) per client address in a sliding window: after `max`
 * failures within `windowMs` the address is refused until the oldest of them leaves the window. Memory is
 * bounded: each address keeps at most `max` timestamps, addresses whose failures all left the window are
 * dropped, and beyond `maxKeys` addresses the least recently failing one is forgotten.
 */
export class FailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** Address key → failure times, ascending; the map is ordered by each key's latest failure. */
  readonly #failures = new Map<string, number[]>();

  constructor(opts: FailureLimiterOptions = {}) {
    this.#max = opts.max ?? 10;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#maxKeys = opts.maxKeys ?? 10_000;
    this.#now = opts.now ?? Date.now;
    if (!(this.#max >= 1 && this.#windowMs > 0 && this.#maxKeys >= 1)) throw new RangeError('FailureLimiter: max, windowMs and maxKeys must be positive');
  }

  /** Addresses currently remembered. */
  get size(): number {
    return this.#failures.size;
  }

  /** Failure times of `key` still inside the window (drops the key when none are). */
  #recent(key: string, now: number): number[] {
    const list = this.#failures.get(key);
    if (!list) return [];
    const from = now - this.#windowMs;
    let i = 0;
    while (i < list.length && list[i]! <= from) i++;
    if (i > 0) list.splice(0, i);
    if (list.length === 0) this.#failures.delete(key);
    return list;
  }

  #verdict(list: readonly number[], now: number): LimitCheck {
    if (list.length < this.#max) return { allowed: true, retryAfterSeconds: 0 };
    const freeAt = list[list.length - this.#max]! + this.#windowMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
  }

  /** May this address try (again)? */
  check(address: string): LimitCheck {
    const now = this.#now();
    return this.#verdict(this.#recent(clientKey(address), now), now);
  }

  /** Throw RefusedError RATE_LIMITED (with `seconds` for Retry-After) when the address may not try now. */
  assertAllowed(address: string): void {
    const c = this.check(address);
    if (!c.allowed) throw new RefusedError('RATE_LIMITED', { seconds: c.retryAfterSeconds });
  }

  /** Record one failure of this address; returns whether it may still try. */
  fail(address: string): LimitCheck {
    const now = this.#now();
    const key = clientKey(address);
    const list = this.#recent(key, now);
    list.push(now);
    if (list.length > this.#max) list.splice(0, list.length - this.#max);
    this.#failures.delete(key); // re-insert: the map stays ordered by latest failure
    this.#failures.set(key, list);
    this.#evict(now);
    return this.#verdict(list, now);
  }

  /** Forget an address's failures (e.g. after it proved itself). */
  reset(address: string): void {
    this.#failures.delete(clientKey(address));
  }

  /** Drop addresses whose latest failure left the window (they are at the front), then the oldest beyond maxKeys. */
  #evict(now: number): void {
    const from = now - this.#windowMs;
    for (const [key, list] of this.#failures) {
      if (list.at(-1)! > from) break;
      this.#failures.delete(key);
    }
    while (this.#failures.size > this.#maxKeys) {
      const oldest = this.#failures.keys().next();
      if (oldest.done) break;
      this.#failures.delete(oldest.value);
    }
  }
}

export interface MessageRateOptions {
  /** Sustained frames per second (default 50). */
  readonly perSecond?: number;
  /** Frames allowed in one burst (default 100). */
  readonly burst?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

/** A token bucket for one connection: `burst` frames at once, refilled at `perSecond`. */
export class MessageRateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(opts: MessageRateOptions = {}) {
    const perSecond = opts.perSecond ?? 50;
    this.#burst = opts.burst ?? 100;
    if (!(perSecond > 0 && this.#burst >= 1)) throw new RangeError('MessageRateLimiter: perSecond and burst must be positive');
    this.#perMs = perSecond / 1000;
    this.#now = opts.now ?? Date.now;
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  /** Take one frame's token: false when the connection is over its rate. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
