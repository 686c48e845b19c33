// One viewer's adaptation over real slot senders (werift's sender and transport stood in for, as in
// slot-sender.test.ts): receiver reports pause its video and switch its audio to RED while audio goes on; clean
// reports bring the video back on a keyframe; REMB moves it between simulcast layers — down at once, up on the
// better layer's keyframe with no gap; grid tiles get the lowest layer; a layer the publisher stopped is skipped.
import { describe, expect, it } from 'vitest';
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, RtcpReceiverInfo, RtcpRrPacket, RtpHeader, RtpPacket } from 'werift';
import { DownlinkAdaptation, type RtcpSource } from '../../src/relay/downlink-adaptation.js';
import { RelayObserver } from '../../src/relay/observer.js';
import type { PacketSource } from '../../src/relay/packet-source.js';
import { SlotSender, type SlotKind } from '../../src/relay/slot-sender.js';
import { TEST_PRESET } from '../helpers/adaptation-preset.js';

const PRESET = TEST_PRESET;

const OPUS = 111;
const RED = 63;
const VP8 = 100;

interface Wire { seq: number; pt: number; payload: Buffer }

/** A viewer m-line: a SlotSender over a stand-in werift sender that records the wire and can deliver RTCP. */
function leg(kind: 'audio' | 'video', slot: SlotKind, ssrc: number) {
  const wire: Wire[] = [];
  const rtcp = new Set<(p: unknown) => void>();
  const sender = {
    ssrc,
    runRtcp: () => undefined,
    dtlsTransport: { state: 'connected', sendRtp: async (payload: Buffer, h: RtpHeader) => void wire.push({ seq: h.sequenceNumber, pt: h.payloadType, payload }) },
    onPictureLossIndication: { subscribe: () => ({ unSubscribe: () => undefined }) },
    onGenericNack: { subscribe: () => ({ unSubscribe: () => undefined }) },
    onRtcp: { subscribe: (f: (p: unknown) => void) => (rtcp.add(f), { unSubscribe: () => rtcp.delete(f) }) },
  };
  const codecs = [{ mimeType: 'audio/opus', payloadType: OPUS }, { mimeType: 'audio/red', payloadType: RED }, { mimeType: 'video/VP8', payloadType: VP8 }];
  const sender_ = new SlotSender(String(ssrc), kind, slot, { sender, codecs } as never, new RelayObserver());
  return { slot: sender_, rtcp: sender as unknown as RtcpSource, wire, deliver: (p: unknown) => rtcp.forEach((f) => f(p)) };
}

/** A publication stand-in; `emit` delivers a packet (VP8 keyframe start or interframe, or Opus). */
function source(kind: 'audio' | 'video', name: string, clock: { now: number }) {
  const listeners = new Set<(p: RtpPacket) => void>();
  let seq = 0;
  let keyframeRequests = 0;
  const src = {
    kind, peerId: 'venue', closed: false, senderReport: undefined, lastPacketAt: 0, name, layers: undefined as PacketSource[] | undefined,
    subscribe: (l: (p: RtpPacket) => void) => (listeners.add(l), () => listeners.delete(l)),
    requestKeyframe: () => void keyframeRequests++,
    codecOf: () => (kind === 'audio' ? 'opus' : 'vp8'),
  };
  const emit = (keyframe = false) => {
    src.lastPacketAt = clock.now;
    const payload = kind === 'audio' ? Buffer.from([0xf8, seq & 0xff]) : Buffer.from([0x10, keyframe ? 0x00 : 0x01, seq & 0xff]);
    const p = new RtpPacket(new RtpHeader({ sequenceNumber: seq++, timestamp: seq * 960, payloadType: 96, ssrc: 1 }), payload);
    for (const l of [...listeners]) l(p);
  };
  return { src: src as unknown as PacketSource & { lastPacketAt: number }, raw: src, emit, keyframes: () => keyframeRequests, listeners: () => listeners.size };
}

function rr(ssrcs: number[], fractionLost: number) {
  return new RtcpRrPacket({ ssrc: 9, reports: ssrcs.map((ssrc) => new RtcpReceiverInfo({ ssrc, fractionLost: Math.round(fractionLost * 256), packetsLost: 0, highestSequence: 0, jitter: 0, lsr: 0, dlsr: 0 })) });
}

function remb(kbps: number, ssrc: number) {
  let exp = 0;
  let mantissa = kbps * 1000;
  while (mantissa >= 1 << 18) {
    mantissa >>= 1;
    exp++;
  }
  return new RtcpPayloadSpecificFeedback({ feedback: new ReceiverEstimatedMaxBitrate({ senderSsrc: 9, mediaSsrc: 0, ssrcNum: 1, brExp: exp, brMantissa: mantissa, bitrate: BigInt(mantissa) << BigInt(exp), ssrcFeedbacks: [ssrc] }) });
}

function viewer() {
  const clock = { now: 1_000_000 };
  const adaptation = new DownlinkAdaptation(PRESET, { now: () => clock.now, tick: false });
  const audio = leg('audio', 'main', 1);
  const video = leg('video', 'main', 2);
  adaptation.add(audio.slot, audio.rtcp);
  adaptation.add(video.slot, video.rtcp);
  return { clock, adaptation, audio, video };
}

/** `seconds` of media: 50 audio packets and 30 video packets a second, a keyframe at the start when asked. */
function play(v: ReturnType<typeof viewer>, a: ReturnType<typeof source>, vs: ReturnType<typeof source>[], seconds: number, keyframeFirst = false) {
  for (let i = 0; i < seconds * 50; i++) {
    v.clock.now += 20;
    a.emit();
    if (i % 5 < 3) for (const s of vs) s.emit(keyframeFirst && i === 0);
    if (i % 12 === 0) v.adaptation.tick();
  }
}

describe('a viewer’s downlink adaptation', () => {
  it('pauses video and adds RED to the audio on a lossy link, and brings video back after clean reports', () => {
    const v = viewer();
    const a = source('audio', 'a', v.clock);
    const vid = source('video', 'v', v.clock);
    v.adaptation.feed(v.audio.slot, a.src);
    v.adaptation.feed(v.video.slot, vid.src);
    play(v, a, [vid], 1, true);
    expect(v.adaptation.status()).toEqual({ layer: 'h', estimateKbps: 1500 });
    expect(v.video.wire.length).toBeGreaterThan(20);

    v.audio.deliver(rr([1, 2], 0.6)); // a thin link: most of it lost
    expect(v.adaptation.status().layer).toBe('audio');
    expect(v.video.slot.publication).toBeUndefined();
    expect(v.adaptation.sourceOf(v.video.slot)).toBe(vid.src); // the m-line still shows that venue
    const [audioBefore, videoBefore] = [v.audio.wire.length, v.video.wire.length];
    play(v, a, [vid], 2);
    expect(v.video.wire.length).toBe(videoBefore);
    expect(v.audio.wire.length - audioBefore).toBe(100); // every audio packet, now as RED
    const red = v.audio.wire.slice(audioBefore);
    expect(red.every((w) => w.pt === RED)).toBe(true);
    // Each carries the previous packet (its primary block) before its own.
    expect(red[1]!.payload.subarray(5, 7)).toEqual(red[0]!.payload.subarray(red[0]!.payload.length - 2));

    // One clean report is not enough to try video again (a 5 % link shows clean reports too); two are.
    v.audio.deliver(rr([1], 0));
    play(v, a, [vid], 1);
    expect(v.adaptation.status().layer).toBe('audio');
    const requested = vid.keyframes();
    v.audio.deliver(rr([1], 0));
    play(v, a, [vid], 1); // the resume hold passes on a tick
    expect(v.adaptation.status().layer).toBe('h');
    expect(vid.keyframes()).toBeGreaterThan(requested);
    const resumedAt = v.video.wire.length;
    play(v, a, [vid], 1);
    expect(v.video.wire.length).toBe(resumedAt); // waits for a keyframe
    play(v, a, [vid], 1, true);
    expect(v.video.wire.length - resumedAt).toBe(30);
    // Sequence numbers on the video m-line continue where they stopped.
    expect(v.video.wire[resumedAt]!.seq).toBe((v.video.wire[resumedAt - 1]!.seq + 1) & 0xffff);
  });

  it('moves the main video between simulcast layers by REMB — down at once, up on the better keyframe — and gives tiles the lowest', () => {
    const v = viewer();
    const tile = leg('video', 'seat', 3);
    v.adaptation.add(tile.slot, tile.rtcp);
    const a = source('audio', 'a', v.clock);
    const [l, m, h] = (['l', 'm', 'h'] as const).map((n) => source('video', n, v.clock));
    h!.raw.layers = [l!.src, m!.src, h!.src];
    v.adaptation.feed(v.audio.slot, a.src);
    v.adaptation.feed(v.video.slot, h!.src);
    v.adaptation.feed(tile.slot, h!.src);
    play(v, a, [l!, m!, h!], 1, true);
    expect(v.video.slot.publication).toBe(h!.src);
    expect(tile.slot.publication).toBe(l!.src);

    v.video.deliver(remb(200, 2));
    expect(v.adaptation.status()).toEqual({ layer: 'l', estimateKbps: 200 });
    expect(v.video.slot.publication).toBe(l!.src);
    expect(h!.listeners()).toBe(0);
    const onLow = v.video.wire.length;
    play(v, a, [l!, m!, h!], 0.5, true);
    expect(v.video.wire.length - onLow).toBe(15);

    // Back up: after the hold, the low layer goes on until the high layer's keyframe.
    for (let i = 0; i < 8; i++) {
      v.video.deliver(remb(2000, 2));
      play(v, a, [l!, m!, h!], 0.5);
    }
    expect(v.video.slot.pendingSource).toBe(h!.src);
    expect(v.video.slot.publication).toBe(l!.src);
    const before = v.video.wire.length;
    play(v, a, [l!, m!, h!], 0.1, true);
    expect(v.video.slot.publication).toBe(h!.src);
    expect(v.video.slot.pendingSource).toBeUndefined();
    // Low goes on up to the high keyframe, then high: 1 + 3 packets, numbered on without a gap.
    expect(v.video.wire.length - before).toBe(4);
    const seqs = v.video.wire.map((w) => w.seq);
    expect(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1]! + 1) & 0xffff))).toBe(true);
    expect(tile.slot.publication).toBe(l!.src);
  });

  it('skips a layer the publisher stopped sending', () => {
    const v = viewer();
    const [l, m, h] = (['l', 'm', 'h'] as const).map((n) => source('video', n, v.clock));
    h!.raw.layers = [l!.src, m!.src, h!.src];
    const a = source('audio', 'a', v.clock);
    v.adaptation.feed(v.video.slot, h!.src);
    play(v, a, [l!, m!, h!], 1, true);
    expect(v.video.slot.publication).toBe(h!.src);
    play(v, a, [l!, m!], 2, true); // the top layer stopped (the publisher's uplink)
    expect(v.video.slot.publication).toBe(m!.src);
  });
});
