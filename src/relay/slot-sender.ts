// One m-line of a subscriber: forwards the packets of whichever publication is attached, as its own copies,
// with continuous sequence numbers and timestamps across source changes, starting video on a keyframe.
import type { RtpPacket, RTCRtpSender, RTCRtpTransceiver } from 'werift';
import { LegWriter, ntpFromUnixMs } from './leg-writer.js';
import type { RelayObserver } from './observer.js';
import type { MediaKind, PacketSource } from './packet-source.js';
import { StreamContinuity } from './continuity.js';
import { isKeyframeStart } from './keyframe.js';
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

  /** Feed this m-line from `publication` (or nothing). Video resumes on the new source's next keyframe. */
  attach(publication: PacketSource | undefined): void {
    if (this.#closed || publication === this.#publication) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#publication = publication;
    this.#numbers.restart();
    this.#writer.setClock(undefined);
    if (!publication || publication.closed) return;
    this.#waitingForKeyframe = this.kind === 'video';
    this.#unsubscribe = publication.subscribe((p) => this.#forward(p));
    publication.requestKeyframe();
  }

  #forward(packet: RtpPacket): void {
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
    this.#writer.write(seq, ts, h.marker, packet.payload, codec);
    const traffic = this.#observer.traffic;
    traffic.outPackets++;
    traffic.outBytes += packet.payload.length + 12;
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
    let resent = 0;
    for (const seq of lost) if (this.#writer.resend(seq)) resent++;
    this.#observer.safeEmit('nack', lost.length, resent);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    for (const d of this.#disposers) d();
    this.#publication = undefined;
    this.#writer.clear();
  }
}
