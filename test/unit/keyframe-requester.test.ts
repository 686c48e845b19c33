import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyframeRequester } from '../../src/relay/keyframe-requester.js';
import { isVp8KeyframeStart } from '../../src/relay/vp8.js';

describe('keyframe requests towards a publisher', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('sends at most one PLI per second however many viewers ask, and none periodically', () => {
    let sent = 0;
    const k = new KeyframeRequester(() => sent++, 1000, () => Date.now());
    for (let i = 0; i < 50; i++) k.request(); // 50 viewers join at once
    expect(sent).toBe(1);
    vi.advanceTimersByTime(999);
    expect(sent).toBe(1);
    vi.advanceTimersByTime(1);
    expect(sent).toBe(2); // the aggregated follow-up at the end of the window
    vi.advanceTimersByTime(10_000);
    expect(sent).toBe(2); // nothing periodic
    expect(k.requested).toBe(50);
  });

  it('sends nothing after close', () => {
    let sent = 0;
    const k = new KeyframeRequester(() => sent++, 1000, () => Date.now());
    k.request();
    k.request();
    k.close();
    vi.advanceTimersByTime(5000);
    k.request();
    expect(sent).toBe(1);
  });
});

describe('VP8 keyframe detection', () => {
  it('recognises the first packet of a keyframe with and without the extended descriptor', () => {
    expect(isVp8KeyframeStart(Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]))).toBe(true); // S=1, P=0
    expect(isVp8KeyframeStart(Buffer.from([0x10, 0x01]))).toBe(false); // interframe
    expect(isVp8KeyframeStart(Buffer.from([0x00, 0x00]))).toBe(false); // not a partition start
    // X=1, I=1 with a 15-bit picture id, then the frame header
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x00]))).toBe(true);
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x01]))).toBe(false);
    expect(isVp8KeyframeStart(Buffer.alloc(0))).toBe(false);
  });
});
