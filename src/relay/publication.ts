// One received track (audio or video) of a publishing participant: fans packets out to slot senders,
// keeps a history for NACKs, and asks the publisher for keyframes — at most once a second.
import { RtcpSrPacket, type MediaStreamTrack, type RTCRtpReceiver, type RtpPacket } from 'werift';
import { InvalidStateError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { KeyframeRequester } from './keyframe-requester.js';
import { PacketHistory } from './packet-history.js';
import type { RelayObserver } from './observer.js';

const log = logger('relay:publication');

export type MediaKind = 'audio' | 'video';
export type PacketListener = (packet: RtpPacket) => void;

export class Publication {
  readonly id: string;
  readonly kind: MediaKind;
  readonly peerId: string;
  readonly history: PacketHistory;
  readonly keyframes: KeyframeRequester;
  readonly #listeners = new Set<PacketListener>();
  readonly #track: MediaStreamTrack;
  readonly #unsubscribe: () => void;
  #closed = false;
  packets = 0;
  bytes = 0;
  /** The publisher's last RTCP sender report: its wall clock (NTP) for an RTP timestamp — for lip-sync. */
  senderReport: { ntp: bigint; rtp: number } | undefined;

  constructor(id: string, peerId: string, track: MediaStreamTrack, receiver: RTCRtpReceiver, observer: RelayObserver) {
    this.id = id;
    this.peerId = peerId;
    this.kind = track.kind as MediaKind;
    this.#track = track;
    this.history = new PacketHistory(this.kind === 'video' ? 2048 : 512);
    this.keyframes = new KeyframeRequester(() => {
      const ssrc = track.ssrc ?? track.header?.ssrc;
      if (ssrc === undefined) return;
      observer.safeEmit('pli', 'up');
      receiver.sendRtcpPLI(ssrc).catch((err: unknown) => log('PLI to %s failed: %O', peerId, err));
    });
    const { unSubscribe } = track.onReceiveRtp.subscribe((packet) => {
      this.packets++;
      this.bytes += packet.payload.length;
      observer.safeEmit('rtpIn', packet.serializeSize);
      this.history.put(packet);
      for (const l of this.#listeners) l(packet);
    });
    const sr = track.onReceiveRtcp.subscribe((packet) => {
      if (packet instanceof RtcpSrPacket) this.senderReport = { ntp: packet.senderInfo.ntpTimestamp, rtp: packet.senderInfo.rtpTimestamp };
    });
    this.#unsubscribe = () => {
      unSubscribe();
      sr.unSubscribe();
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Listen to every packet; returns the unsubscribe function. Listeners must not mutate the packet. */
  subscribe(listener: PacketListener): () => void {
    if (this.#closed) throw new InvalidStateError('Publication');
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  requestKeyframe(): void {
    if (this.kind === 'video') this.keyframes.request();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.keyframes.close();
    this.#listeners.clear();
    log('closed %s (%s of %s)', this.id, this.kind, this.peerId);
  }

  get ssrc(): number | undefined {
    return this.#track.ssrc ?? this.#track.header?.ssrc;
  }
}
