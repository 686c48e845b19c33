// The arithmetic of watched ranges and the relay's cap on what one progress report may add.
import { describe, expect, it } from 'vitest';
import {
  clampRanges, creditReport, firstSeconds, isFinished, MAX_RANGES, mergeRanges, reportBudget, SLACK_SECONDS, subtractRanges, totalLength,
} from '../../src/store/watched-ranges.js';

describe('watched ranges', () => {
  it('merges overlapping and touching ranges, sorted, dropping empty and inverted ones', () => {
    expect(mergeRanges([[5, 7], [0, 2], [1, 3], [3, 4], [9, 9], [12, 10]])).toEqual([[0, 4], [5, 7]]);
    expect(mergeRanges([])).toEqual([]);
    expect(mergeRanges([[0.0004, 1.23456]])).toEqual([[0, 1.235]]);
  });

  it('counts overlapping seconds once', () => {
    expect(totalLength([[0, 2], [1, 3], [10, 10.5]])).toBe(3.5);
    expect(totalLength([])).toBe(0);
  });

  it('clamps ranges to the recording', () => {
    expect(clampRanges([[-3, 1], [5, 12], [20, 30]], 10)).toEqual([[0, 1], [5, 10]]);
    expect(clampRanges([[0, 5]], 0)).toEqual([]);
  });

  it('subtracts what is already covered', () => {
    expect(subtractRanges([[0, 10]], [[2, 3], [5, 6]])).toEqual([[0, 2], [3, 5], [6, 10]]);
    expect(subtractRanges([[0, 10]], [[0, 10]])).toEqual([]);
    expect(subtractRanges([[2, 4]], [[0, 1], [5, 6]])).toEqual([[2, 4]]);
    expect(subtractRanges([[0, 4], [6, 8]], [[3, 7]])).toEqual([[0, 3], [7, 8]]);
  });

  it('takes the first seconds of ranges in lesson order', () => {
    expect(firstSeconds([[10, 20], [0, 3]], 5)).toEqual([[0, 3], [10, 12]]);
    expect(firstSeconds([[0, 3]], 0)).toEqual([]);
    expect(firstSeconds([[0, 3]], 99)).toEqual([[0, 3]]);
  });

  it('is finished at 95 % of a known duration', () => {
    expect(isFinished([[0, 95]], 100)).toBe(true);
    expect(isFinished([[0, 94.9]], 100)).toBe(false);
    expect(isFinished([[0, 1]], 0)).toBe(false);
  });
});

describe('the plausibility cap of a progress report', () => {
  it('allows twice the wall time since the anchor plus the slack, only the slack without an anchor', () => {
    expect(reportBudget(10_000, 0)).toBe(20 + SLACK_SECONDS);
    expect(reportBudget(10_000, 10_000)).toBe(SLACK_SECONDS);
    expect(reportBudget(10_000, 20_000)).toBe(SLACK_SECONDS); // a clock step back gives nothing extra
    expect(reportBudget(10_000, undefined)).toBe(SLACK_SECONDS);
  });

  it('counts a plausible report in full', () => {
    const r = creditReport([], [[0, 4]], 60, reportBudget(5000, 0));
    expect(r).toEqual({ watched: [[0, 4]], added: 4 });
  });

  it('does not count the excess of a forged report, earliest seconds first', () => {
    const budget = reportBudget(3000, 0); // 3 s of wall time → 6 + slack
    const r = creditReport([], [[0, 60]], 60, budget);
    expect(r.added).toBe(budget);
    expect(r.watched).toEqual([[0, budget]]);
  });

  it('counts only what is new: a repeated report adds nothing and does not use up the budget', () => {
    const once = creditReport([], [[0, 4]], 60, 10);
    const again = creditReport(once.watched, [[0, 4], [10, 14]], 60, 4);
    expect(again).toEqual({ watched: [[0, 4], [10, 14]], added: 4 });
  });

  it('ignores what lies outside the recording', () => {
    expect(creditReport([], [[50, 70]], 60, 100)).toEqual({ watched: [[50, 60]], added: 10 });
  });

  it('refuses a report that would leave too many separate ranges', () => {
    const many = Array.from({ length: MAX_RANGES + 1 }, (_, i): [number, number] => [i * 2, i * 2 + 1]);
    expect(creditReport([], many, 10_000, 10_000)).toEqual({ watched: [], added: 0 });
  });
});
