// One received track (audio or video) of a publishing participant: fans packets out to slot senders,
// keeps a history for NACKs, asks the publisher for keyframes (at most once a second), follows the speaking
// level (audio-level header extension) and holds the track back while its owner is muted.
import { RtcpSrPacket, type MediaStreamTrack, type RTCRtpReceiver, type RtpPacket } from 'werift';
import { InvalidStateError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { KeyframeRequester } from './keyframe-requester.js';
import { PacketHistory } from './packet-history.js';
import { isKeyframeStart } from './keyframe.js';
import { codecName, type CodecName, type MediaKind, type PacketListener, type PacketSource } from './packet-source.js';
import type { RelayObserver } from './observer.js';

export type { MediaKind, PacketListener } from './packet-source.js';

const log = logger('relay:publication');

/** How the speaking level decays per packet (audio: 50 packets a second). */
const LEVEL_DECAY = 0.9;

export interface PublicationOptions {
  /** Negotiated id of the ssrc-audio-level header extension (RFC 6464), if any. */
  readonly audioLevelExtensionId?: number;
  /** Start muted (its owner muted before publishing). */
  readonly muted?: boolean;
}

export class Publication implements PacketSource {
  readonly id: string;
  readonly kind: MediaKind;
  readonly peerId: string;
  readonly history: PacketHistory;
  readonly keyframes: KeyframeRequester;
  readonly #listeners = new Set<PacketListener>();
  readonly #track: MediaStreamTrack;
  readonly #unsubscribe: () => void;
  readonly #levelExt: number | undefined;
  readonly #receiver: RTCRtpReceiver;
  readonly #codecs = new Map<number, CodecName | undefined>();
  #closed = false;
  #muted: boolean;
  #waitingForKeyframe = false;
  #level = 0;
  /** Simulcast: the lower layers this (best) layer owns, and all of them lowest first. */
  #lower: readonly Publication[] = [];
  #layers: readonly Publication[] | undefined;
  packets = 0;
  bytes = 0;
  lastPacketAt = 0;
  /** The publisher's last RTCP sender report: its wall clock (NTP) for an RTP timestamp — for lip-sync. */
  senderReport: { ntp: bigint; rtp: number } | undefined;

  constructor(id: string, peerId: string, track: MediaStreamTrack, receiver: RTCRtpReceiver, observer: RelayObserver, opts: PublicationOptions = {}) {
    this.id = id;
    this.peerId = peerId;
    this.kind = track.kind as MediaKind;
    this.#track = track;
    this.#receiver = receiver;
    this.#levelExt = opts.audioLevelExtensionId;
    this.#muted = opts.muted ?? false;
    this.#waitingForKeyframe = this.kind === 'video';
    this.history = new PacketHistory(this.kind === 'video' ? 2048 : 512);
    this.keyframes = new KeyframeRequester(() => {
      const ssrc = track.ssrc ?? track.header?.ssrc;
      if (ssrc === undefined) return;
      observer.safeEmit('pli', 'up');
      receiver.sendRtcpPLI(ssrc).catch((err: unknown) => log('PLI to %s failed: %O', peerId, err));
    });
    const traffic = observer.traffic;
    const { unSubscribe } = track.onReceiveRtp.subscribe((packet) => {
      this.packets++;
      this.bytes += packet.payload.length;
      this.lastPacketAt = Date.now();
      traffic.inPackets++;
      traffic.inBytes += packet.serializeSize;
      this.history.put(packet);
      if (this.#levelExt !== undefined) this.#followLevel(packet);
      if (this.#muted) return;
      if (this.#waitingForKeyframe) {
        // After a pause (or at the start) video resumes only on a keyframe: nobody decodes a broken picture.
        if (!isKeyframeStart(packet.payload, this.codecOf(packet.header.payloadType))) return;
        this.#waitingForKeyframe = false;
      }
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

  /** Called for every packet by every viewer's m-line: the answer is kept per payload type. */
  codecOf(payloadType: number): CodecName | undefined {
    if (this.#codecs.has(payloadType)) return this.#codecs.get(payloadType);
    const codecs = (this.#receiver as unknown as { codecs: Record<number, { mimeType: string } | undefined> }).codecs;
    const name = codecName(codecs[payloadType]?.mimeType);
    this.#codecs.set(payloadType, name);
    return name;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** Simulcast layers, lowest first, this one last; undefined for a single layer. */
  get layers(): readonly Publication[] | undefined {
    return this.#layers;
  }

  /** Make this the best layer of a simulcast track: it owns `lower` (lowest first), muting and closing them with it. */
  withLowerLayers(lower: readonly Publication[]): this {
    this.#lower = lower;
    this.#layers = lower.length > 0 ? [...lower, this] : undefined;
    return this;
  }

  /** Speaking level 0..1 (audio with the level extension), else undefined. */
  get level(): number | undefined {
    return this.#levelExt === undefined ? undefined : this.#level;
  }

  /** Hold the track back (muted) or let it through again (video then waits for a keyframe). */
  setMuted(muted: boolean): void {
    for (const l of this.#lower) l.setMuted(muted);
    if (muted === this.#muted) return;
    this.#muted = muted;
    if (!muted && this.kind === 'video') {
      this.#waitingForKeyframe = true;
      this.keyframes.requestUrgent();
    }
  }

  #followLevel(packet: RtpPacket): void {
    const ext = packet.header.extensions.find((e) => e.id === this.#levelExt);
    const byte = ext?.payload[0];
    if (byte === undefined) return;
    // RFC 6464: 0..127 = −dBov. Speech sits around −20…−40 dBov; map −60 dBov and below to 0.
    const level = this.#muted ? 0 : Math.max(0, 1 - (byte & 0x7f) / 60);
    this.#level = Math.max(level, this.#level * LEVEL_DECAY);
  }

  subscribe(listener: PacketListener): () => void {
    if (this.#closed) throw new InvalidStateError('Publication');
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  requestKeyframe(): void {
    if (this.kind === 'video') this.keyframes.request();
  }

  /** A keyframe needed now (a venue handoff): not held back by the one-a-second window. */
  requestKeyframeNow(): void {
    if (this.kind === 'video') this.keyframes.requestUrgent();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.#lower) l.close();
    this.#unsubscribe();
    this.keyframes.close();
    this.#listeners.clear();
    log('closed %s (%s of %s)', this.id, this.kind, this.peerId);
  }

  get ssrc(): number | undefined {
    return this.#track.ssrc ?? this.#track.header?.ssrc;
  }
}
