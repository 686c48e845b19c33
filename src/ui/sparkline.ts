// A one-line chart of a series with the eight block characters ▁▂▃▄▅▆▇█ (for terminal summaries).

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** At most this many characters: longer series are averaged down. */
  readonly width?: number;
  /** Value drawn as the lowest bar (default: the series' minimum); lower values clamp to it. */
  readonly min?: number;
  /** Value drawn as the highest bar (default: the series' maximum); higher values clamp to it. */
  readonly max?: number;
}

/** Average a series down to at most `width` points (each point the mean of its share of the input). */
export function downsample(values: readonly number[], width: number): number[] {
  if (width <= 0) return [];
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const a = Math.floor((i * values.length) / width);
    const b = Math.max(a + 1, Math.floor(((i + 1) * values.length) / width));
    const part = values.slice(a, b).filter(Number.isFinite);
    out.push(part.length ? part.reduce((s, v) => s + v, 0) / part.length : Number.NaN);
  }
  return out;
}

/** The series as bars; a value that is not finite is a space. */
export function sparkline(values: readonly number[], opts: SparklineOptions = {}): string {
  const series = downsample(values, opts.width ?? values.length);
  const finite = series.filter(Number.isFinite);
  if (finite.length === 0) return ' '.repeat(series.length);
  const min = opts.min ?? Math.min(...finite);
  const max = opts.max ?? Math.max(...finite);
  const span = max - min;
  return series
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (span <= 0) return BARS[0];
      const level = Math.round(((Math.min(max, Math.max(min, v)) - min) / span) * (BARS.length - 1));
      return BARS[level];
    })
    .join('');
}
