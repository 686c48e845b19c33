// The player's record of what was actually watched: continuous playback only, skips add nothing.
import { describe, expect, it } from 'vitest';
import { joinSpans, MAX_SPANS, WatchTracker } from '../../src/web/watch-tracker.js';

/** Time updates every 0.25 s from `from` to `to` (as a playing video sends them). */
function play(t: WatchTracker, from: number, to: number, step = 0.25): void {
  for (let x = from; x <= to + 1e-9; x += step) t.at(Math.round(x * 1000) / 1000);
}

describe('WatchTracker', () => {
  it('records continuous playback as one span', () => {
    const t = new WatchTracker();
    play(t, 0, 3);
    expect(t.take()).toEqual([[0, 3]]);
    expect(t.hasPending).toBe(false);
  });

  it('adds nothing for a skip: a seek starts a new span where playback goes on', () => {
    const t = new WatchTracker();
    play(t, 0, 2);
    t.break();
    play(t, 30, 31);
    expect(t.take()).toEqual([[0, 2], [30, 31]]);
  });

  it('treats a jump beyond a plausible step as a skip even without a seek event', () => {
    const t = new WatchTracker();
    play(t, 0, 1);
    t.at(10);
    play(t, 10.25, 11);
    expect(t.take()).toEqual([[0, 1], [10, 11]]);
  });

  it('accepts steps up to the limit (playback at twice the speed, a late event)', () => {
    const t = new WatchTracker();
    play(t, 0, 6, 0.5);
    t.at(8);
    expect(t.take()).toEqual([[0, 8]]);
  });

  it('treats time going back as a new span', () => {
    const t = new WatchTracker();
    play(t, 5, 6);
    t.at(2);
    play(t, 2.25, 3);
    expect(t.take()).toEqual([[2, 3], [5, 6]]);
  });

  it('continues the growing span after a report, so reports join up', () => {
    const t = new WatchTracker();
    play(t, 0, 2);
    expect(t.take()).toEqual([[0, 2]]);
    play(t, 2.25, 4);
    expect(t.take()).toEqual([[2, 4]]);
  });

  it('keeps a failed report for the next one', () => {
    const t = new WatchTracker();
    play(t, 0, 2);
    const sent = t.take();
    play(t, 2.25, 3);
    t.giveBack(sent);
    expect(t.take()).toEqual([[0, 3]]);
  });

  it('ignores a position that is not a time', () => {
    const t = new WatchTracker();
    t.at(Number.NaN);
    t.at(-1);
    expect(t.hasPending).toBe(false);
  });

  it('sends at most MAX_SPANS spans at once, keeping the rest', () => {
    const t = new WatchTracker();
    for (let i = 0; i < MAX_SPANS + 5; i++) {
      t.break();
      play(t, i * 10, i * 10 + 1);
    }
    expect(t.take()).toHaveLength(MAX_SPANS);
    expect(t.take()).toHaveLength(5);
  });

  it('joins spans that overlap or touch', () => {
    expect(joinSpans([[3, 4], [0, 1], [1, 2], [5, 5]])).toEqual([[0, 2], [3, 4]]);
  });
});
