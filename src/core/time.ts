// Time values as users type them: HH:MM:SS[.mmm], MM:SS[.mmm] or plain seconds.
import { UsageError } from './errors.js';

const CLOCK = /^(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:[.,]\d+)?)$/;
const SECONDS = /^\d+(?:[.,]\d+)?$/;

/** Parse a user time value into seconds; throws UsageError (exit 2) when it cannot be read. */
export function parseTime(input: string): number {
  const value = input.trim();
  let seconds: number | undefined;
  if (SECONDS.test(value)) {
    seconds = Number(value.replace(',', '.'));
  } else {
    const m = CLOCK.exec(value);
    if (m) {
      const [, h, mm, ss] = m;
      seconds = Number(h ?? 0) * 3600 + Number(mm) * 60 + Number(ss!.replace(',', '.'));
    }
  }
  if (seconds === undefined || !Number.isFinite(seconds)) throw new UsageError('BAD_TIME', { value: input });
  return seconds;
}

/** Format seconds as HH:MM:SS.mmm. */
export function formatTime(seconds: number): string {
  const ms = Math.round(Math.max(0, seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const frac = ms % 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(h)}:${p(m)}:${p(s)}.${p(frac, 3)}`;
}

/** Round to microseconds so float noise never reaches an ffmpeg argument. */
export function roundTime(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
