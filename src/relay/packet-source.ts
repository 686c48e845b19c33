// What a subscriber's m-line can be fed from: one publisher's track (Publication) or the session's program
// feed (whichever venue is the main venue). Listeners must not mutate the packets they are given.
import type { RtpPacket } from 'werift';

export type MediaKind = 'audio' | 'video';
export type PacketListener = (packet: RtpPacket) => void;

export interface PacketSource {
  readonly kind: MediaKind;
  /** The publishing participant behind the packets right now ('' when nobody is). */
  readonly peerId: string;
  readonly closed: boolean;
  /** The sender's last RTCP sender report in this source's RTP clock: wall clock (NTP) for an RTP timestamp. */
  readonly senderReport: { ntp: bigint; rtp: number } | undefined;
  /** Listen to every packet; returns the unsubscribe function. */
  subscribe(listener: PacketListener): () => void;
  requestKeyframe(): void;
}
