// The restart budget of a subscribing connection: 3 within any minute (a sliding window, on an injected clock), and
// a client's `resubscribe` about a connection already replaced is no restart at all.
import { describe, expect, it } from 'vitest';
import { RestartBudget, SubscriberRestarts } from '../../src/relay/subscriber-restarts.js';

function clock() {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
}

describe('RestartBudget', () => {
  it('allows 3 restarts within a minute, then one more each time the oldest is a minute old', () => {
    const c = clock();
    const budget = new RestartBudget({ now: c.now });
    const at = (ms: number) => ((c.t = 1_000_000 + ms), budget.take());
    expect([at(0), at(10_000), at(20_000), at(30_000)]).toEqual([true, true, true, false]);
    expect(at(59_999)).toBe(false);
    expect([at(60_000), at(60_000)]).toEqual([true, false]);
    expect([at(70_000), at(79_999), at(80_000)]).toEqual([true, false, true]);
  });
});

describe('SubscriberRestarts', () => {
  it('refuses past the budget with SUBSCRIBE_RESTART_LIMIT', () => {
    const restarts = new SubscriberRestarts(new RestartBudget({ now: clock().now }));
    for (let i = 0; i < 3; i++) expect(restarts.allow()).toBe(true);
    expect(() => restarts.allow()).toThrow(expect.objectContaining({ code: 'SUBSCRIBE_RESTART_LIMIT', params: { count: 3 } }));
  });

  it('ignores a resubscribe about a connection that was already replaced, without spending the budget', () => {
    const restarts = new SubscriberRestarts(new RestartBudget({ max: 1, now: clock().now }));
    restarts.started(4); // the current connection's first offer is version 4
    expect(restarts.allow(3)).toBe(false);
    expect(restarts.allow(4)).toBe(true);
    expect(() => restarts.allow(5)).toThrow(expect.objectContaining({ code: 'SUBSCRIBE_RESTART_LIMIT' }));
  });
});
