// Which frames of a smart cut are re-encoded and which GOPs are stream-copied (pure: frames in, segments out).
import type { PacketTime } from './probe.js';

export interface Segment {
  readonly kind: 'encode' | 'copy';
  /** Index into the range's frames. */
  readonly start: number;
  readonly count: number;
}

/**
 * x264 gives a segment of one or two frames no B-frame delay; spliced next to B-frame GOPs its timestamps no
 * longer line up and the MP4 edit list drops or adds a frame. Encoded segments are therefore 0 or ≥ 3 frames.
 */
export const MIN_ENCODED_FRAMES = 3;

function keyAfter(frames: readonly PacketTime[], i: number): number {
  return frames.findIndex((p, j) => j > i && p.key);
}

function keyBefore(frames: readonly PacketTime[], i: number, floor: number): number {
  for (let j = i - 1; j >= floor; j--) if (frames[j]!.key) return j;
  return -1;
}

/**
 * Split the range's frames (sorted by presentation time) into head (re-encoded, before the first keyframe),
 * middle (stream-copied whole GOPs) and tail (re-encoded, from the last keyframe) — or one re-encoded segment
 * when nothing can be copied. `endsClean`: the frame after the range is a keyframe, or the file ends there.
 */
export function smartSegments(frames: readonly PacketTime[], endsClean: boolean, copyable: boolean): Segment[] {
  const all: Segment[] = [{ kind: 'encode', start: 0, count: frames.length }];
  if (!copyable) return all;
  let first = frames.findIndex((p) => p.key);
  if (first > 0 && first < MIN_ENCODED_FRAMES) first = keyAfter(frames, first);
  if (first < 0) return all;
  let copyEnd = endsClean ? frames.length : keyBefore(frames, frames.length, first + 1);
  if (copyEnd < 0) copyEnd = first;
  const tail = frames.length - copyEnd;
  if (tail > 0 && tail < MIN_ENCODED_FRAMES) copyEnd = keyBefore(frames, copyEnd, first + 1);
  if (copyEnd <= first) return all;
  const out: Segment[] = [];
  if (first > 0) out.push({ kind: 'encode', start: 0, count: first });
  out.push({ kind: 'copy', start: first, count: copyEnd - first });
  if (copyEnd < frames.length) out.push({ kind: 'encode', start: copyEnd, count: frames.length - copyEnd });
  return out;
}
