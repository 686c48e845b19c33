import { describe, expect, it } from 'vitest';
import { smartSegments } from '../../src/media/smart-segments.js';

/** Frames 0..n-1 at 30 fps with a keyframe every `gop` frames, offset so that frame `k0` is a keyframe. */
function frames(n: number, gop: number, firstIndex: number) {
  return Array.from({ length: n }, (_, i) => ({ t: (firstIndex + i) / 30, key: (firstIndex + i) % gop === 0 }));
}

describe('smart cut segments', () => {
  it('re-encodes the head and tail and copies the GOPs between', () => {
    // frames 100..249, keyframes at 120, 180, 240 → local 20, 80, 140
    expect(smartSegments(frames(150, 60, 100), false, true)).toEqual([
      { kind: 'encode', start: 0, count: 20 },
      { kind: 'copy', start: 20, count: 120 },
      { kind: 'encode', start: 140, count: 10 },
    ]);
  });

  it('re-encodes one more GOP rather than a head or tail of two frames', () => {
    // frames 118..249: keyframe at local 2 (too short a head) → copy from the next one at local 62;
    // keyframe at 240 = local 122 leaves a 10-frame tail.
    expect(smartSegments(frames(132, 60, 118), false, true)).toEqual([
      { kind: 'encode', start: 0, count: 62 },
      { kind: 'copy', start: 62, count: 60 },
      { kind: 'encode', start: 122, count: 10 },
    ]);
    // frames 100..241: last keyframe at 240 = local 140 would leave a 2-frame tail → tail from 180 = local 80.
    expect(smartSegments(frames(142, 60, 100), false, true)).toEqual([
      { kind: 'encode', start: 0, count: 20 },
      { kind: 'copy', start: 20, count: 60 },
      { kind: 'encode', start: 80, count: 62 },
    ]);
  });

  it('copies to the end when the range ends on a keyframe', () => {
    expect(smartSegments(frames(100, 60, 80), true, true)).toEqual([
      { kind: 'encode', start: 0, count: 40 },
      { kind: 'copy', start: 40, count: 60 },
    ]);
  });

  it('encodes everything when no keyframe falls inside the range', () => {
    expect(smartSegments(frames(30, 60, 5), false, true)).toEqual([{ kind: 'encode', start: 0, count: 30 }]);
  });

  it('encodes everything for a codec it cannot splice', () => {
    expect(smartSegments(frames(150, 60, 100), false, false)).toEqual([{ kind: 'encode', start: 0, count: 150 }]);
  });

  it('never leaves an encoded head or tail of one or two frames', () => {
    for (let n = 1; n < 400; n += 7) {
      for (const start of [0, 1, 2, 3, 58, 59, 61, 62]) {
        for (const clean of [true, false]) {
          const segs = smartSegments(frames(n, 60, start), clean, true);
          expect(segs.reduce((s, x) => s + x.count, 0)).toBe(n);
          if (segs.length > 1) for (const s of segs) if (s.kind === 'encode') expect(s.count).toBeGreaterThanOrEqual(3);
          for (const s of segs) if (s.kind === 'copy') expect(frames(n, 60, start)[s.start]!.key).toBe(true);
        }
      }
    }
  });
});
