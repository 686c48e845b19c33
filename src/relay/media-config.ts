// Pinned codecs and the peer-connection configuration every relay leg uses (werift 0.24.4).
import { RTCRtpCodecParameters, type PeerConfig } from 'werift';

export interface RtcNetwork {
  /** Address announced in candidates (the relay's LAN or public IP). */
  readonly announceAddress: string;
  /** UDP port range for media, inclusive. */
  readonly portRange?: [number, number];
}

/** VP8 + Opus only: payloads are forwarded untouched, so every leg must agree. */
export function pinnedCodecs(): NonNullable<PeerConfig['codecs']> {
  return {
    audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: 'minptime=10;useinbandfec=1' })],
    video: [
      new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
      }),
    ],
  };
}

/**
 * The relay's side of every connection: ICE-lite (no STUN look-ups from a school PC), exactly one host
 * address — the announced one — and the media port range.
 */
export function relayPeerConfig(net: RtcNetwork): Partial<PeerConfig> {
  return {
    codecs: pinnedCodecs(),
    iceLite: true,
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [net.announceAddress],
    iceServers: [],
    ...(net.portRange ? { icePortRange: net.portRange } : {}),
  };
}

/** A headless participant (full ICE) talking to a relay at `address`. */
export function clientPeerConfig(address: string): Partial<PeerConfig> {
  return {
    codecs: pinnedCodecs(),
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [address],
    iceServers: [],
  };
}
