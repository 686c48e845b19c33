// Checking a requested range against an input before any ffmpeg work starts.
import { UsageError } from '../core/errors.js';
import { formatTime } from '../core/time.js';
import type { MediaInfo } from './probe.js';

/** Throws UsageError (exit 2) for end ≤ start, start beyond the end, or end beyond the end. */
export function checkRange(info: MediaInfo, from: number, to: number): void {
  if (to <= from) throw new UsageError('END_NOT_AFTER_START', { from: formatTime(from), to: formatTime(to) });
  const slack = info.video && info.video.fps > 0 ? 1 / info.video.fps : 0.05;
  const duration = formatTime(info.duration);
  if (info.duration > 0 && from >= info.duration) {
    throw new UsageError('START_BEYOND_DURATION', { from: formatTime(from), path: info.path, duration });
  }
  if (info.duration > 0 && to > info.duration + slack) {
    throw new UsageError('END_BEYOND_DURATION', { to: formatTime(to), path: info.path, duration });
  }
}
