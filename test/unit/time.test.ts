import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { formatTime, parseTime } from '../../src/core/time.js';

describe('time values as teachers type them', () => {
  it.each([
    ['90', 90],
    ['12.5', 12.5],
    ['12,5', 12.5],
    ['01:30', 90],
    ['1:30.250', 90.25],
    ['00:01:30', 90],
    ['1:02:03.004', 3723.004],
    [' 00:00:03.400 ', 3.4],
  ])('reads %s as %d s', (text, seconds) => {
    expect(parseTime(text)).toBeCloseTo(seconds, 6);
  });

  it.each(['', 'abc', '1:2:3:4', '00:61', '-3', '1:60:00', '12s'])('rejects %j with a usage error naming it', (text) => {
    expect(() => parseTime(text)).toThrow(UsageError);
    try {
      parseTime(text);
    } catch (err) {
      expect((err as UsageError).params.value).toBe(text);
      expect((err as UsageError).code).toBe('BAD_TIME');
    }
  });

  it('formats seconds as HH:MM:SS.mmm', () => {
    expect(formatTime(3723.0045)).toBe('01:02:03.005');
    expect(formatTime(0)).toBe('00:00:00.000');
  });
});
