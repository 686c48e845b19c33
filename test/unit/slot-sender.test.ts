// SlotSender against a stand-in for werift's RTCRtpSender and its DTLS transport (third-party objects): the
// publisher's packet untouched, continuous numbering across sources, keyframe gating, NACKs answered from the
// relay's own history, and sender reports built from the publisher's clock.
import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { RelayObserver } from '../../src/relay/observer.js';
import type { Publication } from '../../src/relay/publication.js';
import { SlotSender } from '../../src/relay/slot-sender.js';

type Listener = (p: RtpPacket) => void;

interface Wire {
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payloadType: number;
  payload: Buffer;
}

function fakeSender() {
  const pli: (() => void)[] = [];
  const nack: ((n: { lost: number[] }) => void)[] = [];
  const sent: Wire[] = [];
  let rtcpLoops = 0;
  const sender = {
    ssrc: 4242,
    runRtcp: () => void rtcpLoops++,
    // The transport serialises the header before its first await: record what would go on the wire.
    dtlsTransport: {
      state: 'connected',
      sendRtp: async (payload: Buffer, h: RtpHeader) =>
        void sent.push({ sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: h.ssrc, payloadType: h.payloadType, payload }),
    },
    onPictureLossIndication: { subscribe: (f: () => void) => (pli.push(f), { unSubscribe: () => undefined }) },
    onGenericNack: { subscribe: (f: (n: { lost: number[] }) => void) => (nack.push(f), { unSubscribe: () => undefined }) },
  };
  // The codecs the viewer accepted on this m-line, with its own payload types.
  const transceiver = { sender, codecs: [{ mimeType: 'audio/opus', payloadType: 111 }, { mimeType: 'video/VP8', payloadType: 100 }] };
  return { sender: transceiver, sent, pli, nack, rtcpLoops: () => rtcpLoops, report: () => transceiver.sender as unknown as { ntpTimestamp: bigint; rtpTimestamp: number; packetCount: number; octetCount: number } };
}

function fakePublication(kind: 'audio' | 'video', peerId: string) {
  const listeners = new Set<Listener>();
  let keyframeRequests = 0;
  const pub = {
    kind, peerId, closed: false, senderReport: undefined as { ntp: bigint; rtp: number } | undefined,
    subscribe: (l: Listener) => (listeners.add(l), () => listeners.delete(l)),
    requestKeyframe: () => void keyframeRequests++,
    codecOf: (pt: number) => (pt === 96 ? (kind === 'audio' ? 'opus' : 'vp8') : undefined),
  };
  return { raw: pub, pub: pub as unknown as Publication, emit: (p: RtpPacket) => listeners.forEach((l) => l(p)), keyframes: () => keyframeRequests };
}

const packet = (seq: number, ts: number, payload = [0x10, 0x01]) =>
  new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, payloadType: 96, ssrc: 1111 }), Buffer.from(payload));

describe('a slot sender', () => {
  it('sends with its own SSRC and payload type and leaves the publisher’s packet untouched', () => {
    const f = fakeSender();
    const slot = new SlotSender('1', 'audio', 'main', f.sender as never, new RelayObserver());
    const p = fakePublication('audio', 'a');
    slot.attach(p.pub);
    const original = packet(100, 1000);
    p.emit(original);
    expect(f.sent[0]).toMatchObject({ sequenceNumber: 100, timestamp: 1000, ssrc: 4242, payloadType: 111 });
    expect(f.sent[0]!.payload).toBe(original.payload);
    expect(original.header).toMatchObject({ ssrc: 1111, payloadType: 96, sequenceNumber: 100 });
    expect(f.rtcpLoops()).toBe(1);
    expect(f.report()).toMatchObject({ rtpTimestamp: 1000, packetCount: 1, octetCount: 2 });
  });

  it('starts video on a keyframe and asks for one when attached', () => {
    const f = fakeSender();
    const slot = new SlotSender('1', 'video', 'main', f.sender as never, new RelayObserver());
    const p = fakePublication('video', 'a');
    slot.attach(p.pub);
    expect(p.keyframes()).toBe(1);
    p.emit(packet(1, 0)); // interframe: dropped
    p.emit(packet(2, 3000, [0x10, 0x00])); // keyframe start
    p.emit(packet(3, 3000));
    expect(f.sent.map((x) => x.sequenceNumber)).toEqual([2, 3]);
  });

  it('continues sequence numbers and timestamps when the source changes', () => {
    const f = fakeSender();
    const slot = new SlotSender('1', 'audio', 'main', f.sender as never, new RelayObserver());
    const a = fakePublication('audio', 'a');
    const b = fakePublication('audio', 'b');
    slot.attach(a.pub);
    a.emit(packet(500, 10_000));
    a.emit(packet(501, 10_960));
    slot.attach(b.pub);
    b.emit(packet(9000, 777_000));
    b.emit(packet(9001, 777_960));
    const seqs = f.sent.map((x) => x.sequenceNumber);
    expect(seqs).toEqual([500, 501, 502, 503]);
    const ts = f.sent.map((x) => x.timestamp);
    expect(ts[2]! - ts[1]!).toBeGreaterThan(0);
    expect(ts[3]! - ts[2]!).toBe(960);
  });

  it('answers a NACK older than werift’s 128 packets from its own history', () => {
    const f = fakeSender();
    const slot = new SlotSender('1', 'audio', 'main', f.sender as never, new RelayObserver());
    const a = fakePublication('audio', 'a');
    slot.attach(a.pub);
    for (let i = 0; i < 600; i++) a.emit(packet(i, i * 960));
    f.sent.length = 0;
    f.nack[0]!({ lost: [10, 599, 3000] }); // 10 is long past werift's 128 packets; 3000 was never sent
    expect(f.sent.map((w) => [w.sequenceNumber, w.timestamp, w.ssrc])).toEqual([[10, 9600, 4242], [599, 575_040, 4242]]);
  });

  it('passes viewers’ keyframe requests to the publication', () => {
    const f = fakeSender();
    const slot = new SlotSender('1', 'video', 'main', f.sender as never, new RelayObserver());
    const p = fakePublication('video', 'a');
    slot.attach(p.pub);
    f.pli[0]!();
    f.pli[0]!();
    expect(p.keyframes()).toBe(3); // one on attach, two from the viewer (the publication throttles)
  });

  it('carries the publisher’s sender-report clock so lip-sync survives the relay', () => {
    const f = fakeSender();
    const slot = new SlotSender('1', 'audio', 'main', f.sender as never, new RelayObserver());
    const p = fakePublication('audio', 'a');
    slot.attach(p.pub);
    const ntp = 0xe000_0000_0000_0000n;
    p.raw.senderReport = { ntp, rtp: 48_000 };
    p.emit(packet(1, 48_000 + 24_000)); // half a second after the report
    expect(f.report().ntpTimestamp - ntp).toBe(2n ** 31n);
    expect(f.report().rtpTimestamp).toBe(72_000);
  });
});
