// What a subscriber's m-line can be fed from: one publisher's track (Publication) or the session's program
// feed (whichever venue is the main venue). Listeners must not mutate the packets they are given.
import type { RtpPacket } from 'werift';

export type MediaKind = 'audio' | 'video';
/** The codecs the relay forwards (lower-case subtype of the MIME type). */
export type CodecName = 'vp8' | 'h264' | 'opus';

export function codecName(mimeType: string | undefined): CodecName | undefined {
  const sub = mimeType?.split('/')[1]?.toLowerCase();
  return sub === 'vp8' || sub === 'h264' || sub === 'opus' ? sub : undefined;
}
export type PacketListener = (packet: RtpPacket) => void;

export interface PacketSource {
  readonly kind: MediaKind;
  /** The publishing participant behind the packets right now ('' when nobody is). */
  readonly peerId: string;
  readonly closed: boolean;
  /** The sender's last RTCP sender report in this source's RTP clock: wall clock (NTP) for an RTP timestamp. */
  readonly senderReport: { ntp: bigint; rtp: number } | undefined;
  /** The codec of a packet of this source, by its payload type. */
  codecOf(payloadType: number): CodecName | undefined;
  /** Listen to every packet; returns the unsubscribe function. */
  subscribe(listener: PacketListener): () => void;
  requestKeyframe(): void;
  /** A keyframe needed now (a viewer's video resuming), not held back by the once-a-second window. */
  requestKeyframeNow?(): void;
  /**
   * Simulcast: the same picture at every quality the publisher sends, lowest first, this source (the best) last.
   * Undefined for a single layer. A viewer's m-line is fed from one of them (see DownlinkAdaptation).
   */
  readonly layers?: readonly PacketSource[] | undefined;
  /** Wall-clock ms of the last packet this source delivered (0: none yet): a layer the publisher stopped is skipped. */
  readonly lastPacketAt?: number;
}
