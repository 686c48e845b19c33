// WebRTC helpers shared by the publishing and the subscribing connection: configuration, non-trickle ICE
// (wait for gathering to complete, bounded by a timeout), codec preferences, and watching for a broken path.
import { ICE_GRACE_MS } from './backoff.js';
import { orderCodecs } from './codecs.js';

/** A school LAN needs no STUN/TURN: host candidates only, one bundled transport. */
export const PEER_CONFIG: RTCConfiguration = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

/** After this long the SDP is sent with the candidates gathered so far. */
export const GATHER_TIMEOUT_MS = 3_000;

/** Resolves when ICE gathering is complete or after `timeoutMs`, whichever comes first. */
export function waitForIceGathering(pc: RTCPeerConnection, timeoutMs = GATHER_TIMEOUT_MS): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onState);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const onState = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    // Some browsers signal the end of gathering only with a null candidate.
    const onCandidate = (e: RTCPeerConnectionIceEvent): void => {
      if (e.candidate === null) done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', onState);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/** Put `mimeType` first on this transceiver where the browser supports setCodecPreferences. */
export function preferCodec(transceiver: RTCRtpTransceiver, mimeType: string): void {
  if (typeof transceiver.setCodecPreferences !== 'function') return;
  if (typeof RTCRtpReceiver.getCapabilities !== 'function') return;
  const kind = mimeType.startsWith('audio/') ? 'audio' : 'video';
  const caps = RTCRtpReceiver.getCapabilities(kind);
  const ordered = caps ? orderCodecs(caps.codecs, mimeType) : null;
  if (!ordered) return;
  try {
    transceiver.setCodecPreferences(ordered);
  } catch (err) {
    // Older engines refuse some capability lists; the relay pins VP8/Opus in its SDP anyway.
    console.warn('jiaoyan: codec preferences not applied', err);
  }
}

/**
 * Calls `onBroken` once ICE has stayed `disconnected` or `failed` for longer than `graceMs`; recovery within
 * the grace period cancels it. Returns a function that stops watching.
 */
export function watchIce(pc: RTCPeerConnection, onBroken: () => void, graceMs = ICE_GRACE_MS): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = (): void => {
    const s = pc.iceConnectionState;
    if (s === 'disconnected' || s === 'failed') {
      timer ??= setTimeout(() => {
        timer = undefined;
        onBroken();
      }, graceMs);
    } else if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
  pc.addEventListener('iceconnectionstatechange', check);
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    pc.removeEventListener('iceconnectionstatechange', check);
  };
}
