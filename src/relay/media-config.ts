// Pinned codecs and the peer-connection configuration every relay leg uses (werift 0.24.4).
import { RTCRtpCodecParameters, useAudioLevelIndication, useSdesMid, useSdesRTPStreamId, type PeerConfig } from 'werift';

/** RFC 6464 audio level, offered by browsers on their audio: the relay reads it for the speaking level. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

export interface RtcNetwork {
  /** Address announced in candidates (the relay's LAN or public IP). */
  readonly announceAddress: string;
  /** UDP port range for media, inclusive. */
  readonly portRange?: [number, number];
  /**
   * Local address the media sockets bind to (default: the announced one). Replies then always leave from the
   * address the candidate names, whichever local address the browser's check came from.
   */
  readonly bindAddress?: string;
}

/** The H.264 every browser decodes: constrained baseline, FU-A fragmentation (RFC 6184 mode 1). */
export const H264_FMTP = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

const VIDEO_FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];

/** Opus with in-band FEC asked for (the publisher's encoder adds it when its uplink loses packets). */
export const OPUS_FMTP = 'minptime=10;useinbandfec=1';

/** RED's payload type (RFC 2198; what browsers use) on viewer legs. */
const RED_PT = 63;

/**
 * Opus, VP8 and H.264 (constrained baseline): payloads are forwarded untouched, so a viewer receives a venue's
 * video only in a codec it accepted. VP8 comes first, so browsers publish VP8; H.264 is for publishers that only
 * have it, and reaches the viewers that support it. With `red` (subscribing legs) audio/red is offered too — the
 * relay wraps Opus in it while a viewer loses packets — and every payload type is fixed, the same ones werift would
 * number the list without it (RED's parameters must name Opus's).
 */
export function pinnedCodecs(video: 'both' | 'vp8' | 'h264' = 'both', opts: { red?: boolean } = {}): NonNullable<PeerConfig['codecs']> {
  const pt = (n: number) => (opts.red ? { payloadType: n } : {});
  const opus = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: OPUS_FMTP, ...pt(96) });
  const vp8 = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: VIDEO_FEEDBACK, ...pt(97) });
  const h264 = new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: VIDEO_FEEDBACK, parameters: H264_FMTP, ...pt(video === 'both' ? 98 : 97) });
  const red = new RTCRtpCodecParameters({ mimeType: 'audio/red', clockRate: 48000, channels: 2, parameters: '96/96', payloadType: RED_PT });
  return {
    audio: opts.red ? [opus, red] : [opus],
    video: video === 'vp8' ? [vp8] : video === 'h264' ? [h264] : [vp8, h264],
  };
}

/**
 * The relay's side of every connection: ICE-lite (no STUN look-ups from a school PC), exactly one host
 * address — the announced one — and the media port range.
 */
export function relayPeerConfig(net: RtcNetwork): Partial<PeerConfig> {
  return {
    codecs: pinnedCodecs(),
    // Accepted on publishing connections (viewer legs are sent without extensions: see LegWriter). MID and RID
    // carry simulcast: werift routes each layer to its track by the rid in the first packets.
    headerExtensions: { audio: [useAudioLevelIndication()], video: [useSdesMid(), useSdesRTPStreamId()] },
    // One transport for all m-lines (browsers bundle; separate ICE-lite transports left DTLS stuck).
    bundlePolicy: 'max-bundle',
    iceLite: true,
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [net.announceAddress],
    iceServers: [],
    ...(net.bindAddress !== '0.0.0.0' ? { iceInterfaceAddresses: { udp4: net.bindAddress ?? net.announceAddress } } : {}),
    ...(net.portRange ? { icePortRange: net.portRange } : {}),
  };
}

/**
 * The relay's viewer legs: the publishing configuration with audio/red offered, and no video header extensions
 * (nothing to route: the relay sends one SSRC per m-line).
 */
export function relaySubscriberConfig(publishing: Partial<PeerConfig>): Partial<PeerConfig> {
  let config = subscriberConfigs.get(publishing);
  if (!config) {
    config = { ...publishing, codecs: pinnedCodecs('both', { red: true }), headerExtensions: { audio: [useAudioLevelIndication()], video: [] } };
    subscriberConfigs.set(publishing, config);
  }
  return config;
}

const subscriberConfigs = new WeakMap<Partial<PeerConfig>, Partial<PeerConfig>>();

/** A headless participant (full ICE) talking to a relay at `address`, with the video codecs it handles. */
export function clientPeerConfig(address: string, video: 'both' | 'vp8' | 'h264' = 'both', opts: { red?: boolean } = {}): Partial<PeerConfig> {
  return {
    codecs: pinnedCodecs(video, opts),
    bundlePolicy: 'max-bundle',
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [address],
    iceServers: [],
  };
}
