// A recording's video gets whole frames only: a frame missing a packet — given up after a loss, cut off by a
// handoff, still incomplete when the recording stops — is left out, and so is everything up to the next keyframe,
// which is asked for. What goes out is numbered without gaps.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import type { CodecName, PacketListener, PacketSource } from '../../src/relay/packet-source.js';
import { RecordingTrack } from '../../src/relay/recording-track.js';

const PT: Record<CodecName, number> = { vp8: 96, h264: 102, opus: 111 };

class FakeVideo implements PacketSource {
  readonly kind = 'video';
  readonly peerId = 'p1';
  readonly closed = false;
  readonly senderReport = undefined;
  keyframeRequests = 0;
  #listener: PacketListener | undefined;

  codecOf(payloadType: number): CodecName | undefined {
    return (Object.keys(PT) as CodecName[]).find((c) => PT[c] === payloadType);
  }

  subscribe(listener: PacketListener): () => void {
    this.#listener = listener;
    return () => (this.#listener = undefined);
  }

  requestKeyframe(): void {
    this.keyframeRequests++;
  }

  send(seq: number, ts: number, marker: boolean, payload: Buffer, codec: CodecName = 'h264'): void {
    this.#listener?.(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, marker, payloadType: PT[codec], ssrc: 1 }), payload));
  }
}

// H.264 payloads: a keyframe is STAP-A (SPS, PPS) then an IDR in FU-A fragments; a delta frame is a non-IDR slice
// in FU-A fragments. `tag` (the fragment's first data byte) tells packets apart in what is written.
const stapSpsPps = Buffer.from([24, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce]);
const fu = (type: number, start: boolean, end: boolean, tag: number) => Buffer.from([0x7c, (start ? 0x80 : 0) | (end ? 0x40 : 0) | type, tag]);

/** A keyframe of 3 packets from `seq`; a delta frame of `n` packets from `seq`. */
function keyframe(src: FakeVideo, seq: number, ts: number, tag: number): void {
  src.send(seq, ts, false, stapSpsPps);
  src.send(seq + 1, ts, false, fu(5, true, false, tag));
  src.send(seq + 2, ts, true, fu(5, false, true, tag));
}
function delta(src: FakeVideo, seq: number, ts: number, tag: number, n = 2, skip: number[] = []): void {
  for (let i = 0; i < n; i++) if (!skip.includes(i)) src.send(seq + i, ts, i === n - 1, fu(1, i === 0, i === n - 1, tag));
}

function record(src: FakeVideo) {
  const out: { seq: number; ts: number; marker: boolean; payloadType: number }[] = [];
  const track = new RecordingTrack(src, (_kind, _codec, rtp) => {
    const p = RtpPacket.deSerialize(rtp);
    out.push({ seq: p.header.sequenceNumber, ts: p.header.timestamp, marker: p.header.marker, payloadType: p.header.payloadType });
  });
  /** The timestamps of the frames written (one per frame). */
  const frames = () => [...new Set(out.map((p) => p.ts))];
  return { track, out, frames };
}

describe('recording track: whole video frames only', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('writes complete frames as they end, numbered without gaps', () => {
    const src = new FakeVideo();
    const { track, out, frames } = record(src);
    expect(src.keyframeRequests).toBe(1); // asked for at the start
    delta(src, 10, 0, 1); // before the first keyframe: left out
    keyframe(src, 12, 3000, 2);
    src.send(15, 6000, false, fu(1, true, false, 3));
    expect(out).toHaveLength(3); // the frame being completed is held
    src.send(16, 6000, true, fu(1, false, true, 3));
    expect(frames()).toEqual([3000, 6000]);
    expect(out.map((p) => p.seq)).toEqual([12, 13, 14, 15, 16]);
    expect(out.every((p) => p.payloadType === 102)).toBe(true);
    expect(out.filter((p) => p.marker).map((p) => p.ts)).toEqual([3000, 6000]);
    track.close();
    expect(track.leftOut).toBe(2);
  });

  it('leaves out a frame missing a packet and everything after it until the keyframe it asks for', () => {
    const src = new FakeVideo();
    const { track, out, frames } = record(src);
    keyframe(src, 100, 3000, 1);
    delta(src, 103, 6000, 2, 3, [1]); // its middle packet never comes
    delta(src, 106, 9000, 3); // refers to the broken frame
    expect(frames()).toEqual([3000]);
    vi.advanceTimersByTime(250); // the jitter buffer gives the packet up
    expect(src.keyframeRequests).toBe(2);
    delta(src, 108, 12000, 4);
    keyframe(src, 110, 15000, 5);
    delta(src, 113, 18000, 6);
    expect(frames()).toEqual([3000, 15000, 18000]);
    expect(out.map((p) => p.seq)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(track.lost).toBe(1);
    expect(track.leftOut).toBe(6); // 2 of the broken frame, 2 + 2 waiting for the keyframe
    track.close();
  });

  it('leaves out a frame cut off by a new one (a handoff), resuming on the keyframe that cut it', () => {
    const src = new FakeVideo();
    const { track, frames } = record(src);
    keyframe(src, 1, 3000, 1);
    src.send(4, 6000, false, fu(1, true, false, 2)); // the old venue's last frame, cut off
    keyframe(src, 5, 9000, 3); // the new venue's keyframe, numbered on
    delta(src, 8, 12000, 4);
    expect(frames()).toEqual([3000, 9000, 12000]);
    expect(src.keyframeRequests).toBe(1); // none needed: the cut came with one
    track.close();
  });

  it('asks for a keyframe and waits for it after a frame cut off by a delta frame', () => {
    const src = new FakeVideo();
    const { track, frames } = record(src);
    keyframe(src, 1, 3000, 1);
    src.send(4, 6000, false, fu(1, true, false, 2));
    delta(src, 5, 9000, 3);
    expect(src.keyframeRequests).toBe(2);
    keyframe(src, 7, 12000, 4);
    expect(frames()).toEqual([3000, 12000]);
    track.close();
  });

  it('does not write the incomplete frame it holds when the recording stops, nor frames past a gap', () => {
    const src = new FakeVideo();
    const { track, out, frames } = record(src);
    keyframe(src, 1, 3000, 1);
    delta(src, 4, 6000, 2, 3, [1]); // held by the jitter buffer behind its gap
    src.send(7, 9000, false, fu(1, true, false, 3));
    track.close(); // the jitter buffer delivers what it holds, past the gap
    expect(frames()).toEqual([3000]);
    expect(out).toHaveLength(3);
    src.send(8, 9000, true, fu(1, false, true, 3)); // after the stop: nothing
    expect(out).toHaveLength(3);
  });

  it('goes on across a codec change from its first keyframe', () => {
    const src = new FakeVideo();
    const { track, out } = record(src);
    keyframe(src, 1, 3000, 1);
    // A VP8 keyframe (S=1, partition 0, P=0) in one packet, then a VP8 delta frame.
    src.send(4, 6000, true, Buffer.from([0x10, 0x00]), 'vp8');
    src.send(5, 9000, true, Buffer.from([0x10, 0x01]), 'vp8');
    expect(out.map((p) => [p.seq, p.payloadType])).toEqual([[1, 102], [2, 102], [3, 102], [4, 96], [5, 96]]);
    track.close();
  });
});
