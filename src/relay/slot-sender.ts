// One m-line of a subscriber: forwards the packets of whichever publication is attached, as its own copies,
// with continuous sequence numbers and timestamps across source changes, starting video on a keyframe.
import { RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { logger } from '../core/log.js';
import type { RelayObserver } from './observer.js';
import { PacketHistory } from './packet-history.js';
import type { MediaKind, Publication } from './publication.js';
import { isVp8KeyframeStart } from './vp8.js';

const log = logger('relay:slot');
const CLOCK: Record<MediaKind, number> = { audio: 48000, video: 90000 };

export type SlotKind = 'main' | 'seat';

export class SlotSender {
  readonly mid: string;
  readonly kind: MediaKind;
  readonly slot: SlotKind;
  readonly sender: RTCRtpSender;
  readonly #observer: RelayObserver;
  readonly #sent = new PacketHistory(2048);
  #publication: Publication | undefined;
  #unsubscribe: (() => void) | undefined;
  #waitingForKeyframe = false;
  #rebase = true;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq: number | undefined;
  #lastTs: number | undefined;
  #lastSentAt = 0;
  #closed = false;
  readonly #disposers: (() => void)[] = [];
  packets = 0;

  constructor(mid: string, kind: MediaKind, slot: SlotKind, sender: RTCRtpSender, observer: RelayObserver) {
    this.mid = mid;
    this.kind = kind;
    this.slot = slot;
    this.sender = sender;
    this.#observer = observer;
    this.#disposers.push(sender.onPictureLossIndication.subscribe(() => {
      observer.safeEmit('pli', 'down');
      this.#publication?.requestKeyframe();
    }).unSubscribe);
    this.#disposers.push(sender.onGenericNack.subscribe((nack) => this.#answerNack(nack.lost)).unSubscribe);
  }

  get publication(): Publication | undefined {
    return this.#publication;
  }

  /** Feed this m-line from `publication` (or nothing). Video resumes on the new source's next keyframe. */
  attach(publication: Publication | undefined): void {
    if (this.#closed || publication === this.#publication) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#publication = publication;
    this.#rebase = true;
    if (!publication || publication.closed) return;
    this.#waitingForKeyframe = this.kind === 'video';
    this.#unsubscribe = publication.subscribe((p) => this.#forward(p));
    publication.requestKeyframe();
  }

  #forward(packet: RtpPacket): void {
    if (this.sender.dtlsTransport?.state !== 'connected') {
      // Not connected yet: whatever arrives now is lost, so video must start on a later keyframe.
      this.#waitingForKeyframe = this.kind === 'video';
      return;
    }
    if (this.#waitingForKeyframe) {
      if (!isVp8KeyframeStart(packet.payload)) return;
      this.#waitingForKeyframe = false;
    }
    const h = packet.header;
    if (this.#rebase) {
      // First packet from this source: continue our own numbering right after the last packet sent.
      this.#rebase = false;
      if (this.#lastSeq === undefined || this.#lastTs === undefined) {
        this.#seqOffset = 0;
        this.#tsOffset = 0;
      } else {
        const elapsed = Math.max(1, Math.round(((Date.now() - this.#lastSentAt) / 1000) * CLOCK[this.kind]));
        this.#seqOffset = (this.#lastSeq + 1 - h.sequenceNumber) & 0xffff;
        this.#tsOffset = (this.#lastTs + elapsed - h.timestamp) >>> 0;
      }
    }
    const header = new RtpHeader({
      marker: h.marker,
      payloadType: h.payloadType,
      sequenceNumber: (h.sequenceNumber + this.#seqOffset) & 0xffff,
      timestamp: (h.timestamp + this.#tsOffset) >>> 0,
      ssrc: h.ssrc,
      extensions: [],
    });
    // Our own copy per leg: werift's sendRtp rewrites the header in place and caches the object.
    const copy = new RtpPacket(header, packet.payload);
    if (this.#lastSeq !== undefined && ((header.sequenceNumber - this.#lastSeq) & 0xffff) > 0x8000) return; // late reorder
    this.#lastSeq = header.sequenceNumber;
    this.#lastTs = header.timestamp;
    this.#lastSentAt = Date.now();
    this.packets++;
    this.sender.sendRtp(copy).catch((err: unknown) => log('send on %s failed: %O', this.mid, err));
    this.#carrySenderReport(h.timestamp);
    this.#sent.put(copy);
    this.#observer.safeEmit('rtpOut', copy.serializeSize);
  }

  /**
   * werift builds its sender reports from the time it sent the last packet. Give it the publisher's own clock
   * instead — the NTP time the publisher's last SR maps this packet's RTP timestamp to — so the viewer lines up
   * audio and video exactly as the publisher captured them (lip-sync survives the relay).
   */
  #carrySenderReport(sourceTimestamp: number): void {
    const sr = this.#publication?.senderReport;
    if (!sr) return;
    const ticks = ((sourceTimestamp - sr.rtp) | 0) / CLOCK[this.kind]; // signed 32-bit difference, in seconds
    (this.sender as unknown as { ntpTimestamp: bigint }).ntpTimestamp = sr.ntp + BigInt(Math.round(ticks * 2 ** 32));
  }

  /** werift answers NACKs from its last 128 packets; older ones come from our own history. */
  #answerNack(lost: number[]): void {
    let resent = 0;
    const cache = (this.sender as unknown as { rtpCache?: (RtpPacket | undefined)[] }).rtpCache ?? [];
    for (const seq of lost) {
      if (cache[seq % 128]?.header.sequenceNumber === seq) continue;
      const p = this.#sent.get(seq);
      if (!p) continue;
      resent++;
      this.sender.dtlsTransport.sendRtp(p.payload, p.header).catch((err: unknown) => log('resend failed: %O', err));
    }
    this.#observer.safeEmit('nack', lost.length, resent);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    for (const d of this.#disposers) d();
    this.#publication = undefined;
  }
}
