// Failed look-ups are limited per address in a sliding window; frames per connection by a token bucket.
// Every test drives an injected clock: nothing sleeps.
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/core/errors.js';
import { clientKey, FailureLimiter, MessageRateLimiter } from '../../src/server/rate-limit.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('FailureLimiter', () => {
  it('allows ten failures a minute, then refuses until the oldest leaves the window', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 10, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 9; i++) {
      expect(limiter.fail('192.0.2.1').allowed).toBe(true);
      c.advance(1000);
    }
    expect(limiter.check('192.0.2.1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(limiter.fail('192.0.2.1')).toEqual({ allowed: false, retryAfterSeconds: 51 });
    c.advance(30_000);
    expect(limiter.check('192.0.2.1')).toEqual({ allowed: false, retryAfterSeconds: 21 });
    c.advance(21_000); // the first failure (t=0) is now exactly one window old: it left
    expect(limiter.check('192.0.2.1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('is a sliding window, not a fixed one', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 4, windowMs: 60_000, now: c.now });
    limiter.fail('a');
    limiter.fail('a');
    c.advance(50_000);
    limiter.fail('a');
    expect(limiter.fail('a').allowed).toBe(false);
    c.advance(10_001); // the two early failures left; the two late ones are still inside
    expect(limiter.check('a').allowed).toBe(true);
    expect(limiter.fail('a').allowed).toBe(true);
    expect(limiter.fail('a')).toEqual({ allowed: false, retryAfterSeconds: 50 });
  });

  it('rounds the wait up to whole seconds, at least one', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 1, windowMs: 60_000, now: c.now });
    limiter.fail('a');
    c.advance(59_999);
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('keeps addresses apart, but one IPv6 /64 and an IPv4-mapped address share a key', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 2, windowMs: 60_000, now: c.now });
    limiter.fail('2001:db8:1:2::1');
    expect(limiter.fail('2001:db8:1:2:ffff::99').allowed).toBe(false);
    expect(limiter.check('2001:db8:1:3::1').allowed).toBe(true);
    limiter.fail('::ffff:192.0.2.7');
    expect(limiter.fail('192.0.2.7').allowed).toBe(false);
    expect(limiter.check('192.0.2.8').allowed).toBe(true);
  });

  it('throws RATE_LIMITED with the seconds to wait', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 1, windowMs: 60_000, now: c.now });
    expect(() => limiter.assertAllowed('a')).not.toThrow();
    limiter.fail('a');
    let err: unknown;
    try {
      limiter.assertAllowed('a');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RefusedError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', params: { seconds: 60 } });
    limiter.reset('a');
    expect(limiter.check('a').allowed).toBe(true);
  });

  it('forgets addresses whose failures left the window', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 100; i++) limiter.fail(`10.0.0.${i}`);
    expect(limiter.size).toBe(100);
    c.advance(60_000);
    limiter.fail('10.0.1.1');
    expect(limiter.size).toBe(1);
    c.advance(60_000);
    expect(limiter.check('10.0.1.1').allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('stays bounded under many addresses, forgetting the least recently failing first', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 1, windowMs: 60_000, maxKeys: 100, now: c.now });
    for (let i = 0; i < 1000; i++) {
      limiter.fail(`198.51.${i >> 8}.${i & 255}`);
      c.advance(1);
    }
    expect(limiter.size).toBe(100);
    expect(limiter.check('198.51.0.0').allowed).toBe(true); // forgotten
    expect(limiter.check('198.51.3.231').allowed).toBe(false); // i = 999, remembered
    limiter.fail('198.51.3.132'); // i = 900: the oldest remembered, failing again moves it to the back
    limiter.fail('203.0.113.1');
    expect(limiter.check('198.51.3.132').allowed).toBe(false);
    expect(limiter.check('198.51.3.133').allowed).toBe(true); // i = 901 became the oldest and went
  });

  it('keeps at most max timestamps per address however often it fails', () => {
    const c = clock();
    const limiter = new FailureLimiter({ max: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 10_000; i++) limiter.fail('a');
    c.advance(60_000);
    expect(limiter.check('a').allowed).toBe(true);
  });
});

describe('clientKey', () => {
  it('normalises every spelling of an address', () => {
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('unknown')).toBe('unknown');
  });
});

describe('MessageRateLimiter', () => {
  it('allows a burst of 100 frames, then 50 a second', () => {
    const c = clock();
    const frames = new MessageRateLimiter({ perSecond: 50, burst: 100, now: c.now });
    for (let i = 0; i < 100; i++) expect(frames.take()).toBe(true);
    expect(frames.take()).toBe(false);
    c.advance(20); // one frame's worth
    expect(frames.take()).toBe(true);
    expect(frames.take()).toBe(false);
    c.advance(1000);
    let allowed = 0;
    while (frames.take()) allowed++;
    expect(allowed).toBe(50);
  });

  it('never saves up more than one burst', () => {
    const c = clock();
    const frames = new MessageRateLimiter({ now: c.now });
    c.advance(3_600_000);
    let allowed = 0;
    while (frames.take()) allowed++;
    expect(allowed).toBe(100);
  });

  it('lets a steady 50 frames a second through forever', () => {
    const c = clock();
    const frames = new MessageRateLimiter({ now: c.now });
    for (let i = 0; i < 10_000; i++) {
      expect(frames.take()).toBe(true);
      c.advance(20);
    }
  });
});
