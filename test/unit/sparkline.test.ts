import { describe, expect, it } from 'vitest';
import { downsample, sparkline } from '../../src/ui/sparkline.js';

describe('sparkline', () => {
  it('maps the range onto eight bars', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
  });

  it('clamps to the given bounds and leaves gaps for missing values', () => {
    expect(sparkline([-90, -60, Number.NaN, -20, 0], { min: -60, max: -20 })).toBe('▁▁ ██');
  });

  it('averages a long series down to the width', () => {
    expect(downsample([1, 1, 3, 3, 5, 5], 3)).toEqual([1, 3, 5]);
    expect(sparkline(Array.from({ length: 600 }, (_, i) => i), { width: 60 })).toHaveLength(60);
  });

  it('draws a flat series as the lowest bar', () => {
    expect(sparkline([-30, -30, -30])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });
});
