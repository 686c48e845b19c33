// One m-line of a subscriber: forwards the packets of whichever publication is attached, as its own copies,
// with continuous sequence numbers and timestamps across source changes, starting video on a keyframe. A change of
// simulcast layer can wait for the new layer's keyframe while the old one goes on (no frozen picture); audio can go
// out with redundancy (RED) while the viewer's link loses packets.
import type { RtpPacket, RTCRtpSender, RTCRtpTransceiver } from 'werift';
import { LegWriter, ntpFromUnixMs } from './leg-writer.js';
import type { RelayObserver } from './observer.js';
import type { MediaKind, PacketSource } from './packet-source.js';
import { StreamContinuity } from './continuity.js';
import { isKeyframeStart } from './keyframe.js';
import { RedEncoder } from './red-encoder.js';

const CLOCK: Record<MediaKind, number> = { audio: 48000, video: 90000 };

export type SlotKind = 'main' | 'seat';

export class SlotSender {
  readonly mid: string;
  readonly kind: MediaKind;
  readonly slot: SlotKind;
  readonly sender: RTCRtpSender;
  readonly #observer: RelayObserver;
  readonly #writer: LegWriter;
  #publication: PacketSource | undefined;
  #unsubscribe: (() => void) | undefined;
  #waitingForKeyframe = false;
  #numbers: StreamContinuity;
  #closed = false;
  /** A layer waiting for its keyframe to take over from the current one. */
  #pending: { source: PacketSource; unsubscribe: () => void } | undefined;
  /** The last packet handled: a source that delivers a packet twice (a switch inside its own loop) is sent it once. */
  #lastIn: RtpPacket | undefined;
  /** Audio redundancy: on while the viewer loses packets (and only if it accepted audio/red). */
  #red: RedEncoder | undefined;
  readonly #disposers: (() => void)[] = [];

  constructor(mid: string, kind: MediaKind, slot: SlotKind, transceiver: Pick<RTCRtpTransceiver, 'sender' | 'codecs'>, observer: RelayObserver) {
    const sender = transceiver.sender;
    this.mid = mid;
    this.kind = kind;
    this.slot = slot;
    this.sender = sender;
    this.#observer = observer;
    this.#writer = new LegWriter(sender, () => transceiver.codecs);
    this.#numbers = new StreamContinuity(kind);
    this.#disposers.push(sender.onPictureLossIndication.subscribe(() => {
      observer.safeEmit('pli', 'down');
      this.#publication?.requestKeyframe();
    }).unSubscribe);
    this.#disposers.push(sender.onGenericNack.subscribe((nack) => this.#answerNack(nack.lost)).unSubscribe);
  }

  /** Packets sent on this m-line. */
  get packets(): number {
    return this.#writer.packets;
  }

  get bytes(): number {
    return this.#writer.bytes;
  }

  get publication(): PacketSource | undefined {
    return this.#publication;
  }

  /** A layer switch waiting for its keyframe. */
  get pendingSource(): PacketSource | undefined {
    return this.#pending?.source;
  }

  /**
   * Feed this m-line from `publication` (or nothing). Video resumes on the new source's next keyframe. `first`, a
   * keyframe of the new source, is sent at once.
   */
  attach(publication: PacketSource | undefined, first?: RtpPacket): void {
    this.#cancelPending();
    if (this.#closed || publication === this.#publication) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#publication = publication;
    this.#numbers.restart();
    this.#red?.reset();
    this.#writer.setClock(undefined);
    if (!publication || publication.closed) return;
    this.#waitingForKeyframe = this.kind === 'video';
    this.#unsubscribe = publication.subscribe((p) => this.#forward(p));
    if (first) this.#forward(first);
    else publication.requestKeyframe();
  }

  /**
   * Move to another layer of the same picture. While video is flowing the current layer goes on until the new one's
   * keyframe arrives, then the switch happens on it; otherwise (paused, not yet started, audio) it is `attach`.
   */
  switchLayer(source: PacketSource | undefined): void {
    if (this.#closed || source === this.#pending?.source) return;
    if (source === this.#publication) return this.#cancelPending();
    const flowing = this.kind === 'video' && this.#publication !== undefined && !this.#waitingForKeyframe && this.#writer.connected;
    if (!source || source.closed || !flowing) return this.attach(source);
    this.#cancelPending();
    const unsubscribe = source.subscribe((p) => {
      if (isKeyframeStart(p.payload, source.codecOf(p.header.payloadType))) this.attach(source, p);
    });
    this.#pending = { source, unsubscribe };
    source.requestKeyframe();
  }

  #cancelPending(): void {
    this.#pending?.unsubscribe();
    this.#pending = undefined;
  }

  /** Send audio with RFC 2198 redundancy (when the viewer accepted audio/red) or without. */
  setRedundancy(on: boolean): void {
    if (this.kind !== 'audio' || on === (this.#red !== undefined)) return;
    this.#red = on ? new RedEncoder() : undefined;
  }

  #forward(packet: RtpPacket): void {
    if (packet === this.#lastIn) return;
    this.#lastIn = packet;
    if (!this.#writer.connected) {
      // Not connected yet: whatever arrives now is lost, so video must start on a later keyframe.
      this.#waitingForKeyframe = this.kind === 'video';
      return;
    }
    const h = packet.header;
    const codec = this.#publication?.codecOf(h.payloadType);
    // A codec this viewer did not accept (H.264 to a VP8-only peer) cannot be forwarded: nothing is sent.
    if (!codec || !this.#writer.accepts(codec)) return;
    if (this.#waitingForKeyframe) {
      if (!isKeyframeStart(packet.payload, codec)) return;
      this.#waitingForKeyframe = false;
    }
    const rebasing = this.#numbers.rebasing;
    const out = this.#numbers.map(h.sequenceNumber, h.timestamp);
    if (!out) return; // late reorder
    if (rebasing) this.#writer.setClock(this.#senderClock());
    const { seq, ts } = out;
    // The publisher's packet is never touched: the writer serialises its own header for this leg.
    let payload = packet.payload;
    const red = this.#red;
    const redPt = red ? this.#writer.redPayloadType : undefined;
    if (red && redPt !== undefined && codec === 'opus') {
      payload = red.encode(seq, ts, payload, this.#writer.payloadTypeOf('opus')!);
      this.#writer.writeAs(seq, ts, h.marker, payload, redPt);
    } else {
      this.#writer.write(seq, ts, h.marker, payload, codec);
    }
    const traffic = this.#observer.traffic;
    traffic.outPackets++;
    traffic.outBytes += payload.length + 12;
  }

  /**
   * werift builds sender reports from the time of the last packet. Give it the publisher's own clock instead —
   * the NTP time the publisher's last SR maps the last sent packet's RTP timestamp to — so the viewer lines up
   * audio and video exactly as the publisher captured them (lip-sync survives the relay). Computed only when a
   * report is due.
   */
  #senderClock() {
    const clock = CLOCK[this.kind];
    return {
      ntp: (): bigint => {
        const sr = this.#publication?.senderReport;
        const lastTs = this.#numbers.lastTs;
        if (!sr || lastTs === undefined) return ntpFromUnixMs(this.#numbers.lastAt || Date.now());
        const sourceTs = (lastTs - this.#numbers.tsOffset) >>> 0;
        const seconds = ((sourceTs - sr.rtp) | 0) / clock; // signed 32-bit difference
        return sr.ntp + BigInt(Math.round(seconds * 2 ** 32));
      },
    };
  }

  /** Answer NACKs from this leg's own history (werift's holds 128 packets; ours 2048). */
  #answerNack(lost: number[]): void {
    // A paused m-line (video off for this viewer's link) is not worth repairing: its picture has stopped.
    if (!this.#publication) return;
    let resent = 0;
    for (const seq of lost) if (this.#writer.resend(seq)) resent++;
    this.#observer.safeEmit('nack', lost.length, resent);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelPending();
    this.#unsubscribe?.();
    for (const d of this.#disposers) d();
    this.#publication = undefined;
    this.#writer.clear();
  }
}
