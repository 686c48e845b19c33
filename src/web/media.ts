// The camera/microphone and the two peer connections: Publisher (client offers sendonly audio + video,
// relay answers) and Subscriber (relay offers, client answers; renegotiations reuse the connection).
import type { StreamSlot } from '../signaling/protocol.js';
import { GATHER_TIMEOUT_MS, PEER_CONFIG, preferCodec, waitForIceGathering } from './rtc.js';
import { publishesSimulcast, SIMULCAST } from './simulcast.js';
import { layoutStreams, type SlotLayout } from './slots.js';

/** Modest capture: the relay forwards what is sent, and village links are slow. */
const VIDEO: MediaTrackConstraints = { width: { ideal: 960 }, height: { ideal: 540 }, frameRate: { ideal: 20, max: 30 } };
const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** getUserMedia is missing: the page is not a secure context (plain http on a LAN address). */
export class MediaUnavailableError extends Error {
  override readonly name = 'MediaUnavailableError';
}

/** Camera and microphone; falls back to whichever exists when the machine lacks one of them. */
export async function openCamera(): Promise<MediaStream> {
  const md = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!md || typeof md.getUserMedia !== 'function') throw new MediaUnavailableError('getUserMedia unavailable');
  try {
    return await md.getUserMedia({ audio: AUDIO, video: VIDEO });
  } catch (err) {
    if (!(err instanceof DOMException) || (err.name !== 'NotFoundError' && err.name !== 'NotReadableError')) throw err;
    const onlyAudio = await md.getUserMedia({ audio: AUDIO }).then(
      (s) => s,
      () => null,
    );
    return onlyAudio ?? md.getUserMedia({ video: VIDEO });
  }
}

export class Publisher {
  readonly pc = new RTCPeerConnection(PEER_CONFIG);

  /** Always one audio and one video m-line, in that order, even when a device is missing; video in three layers with `simulcast`. */
  constructor(readonly stream: MediaStream, simulcast = typeof navigator !== 'undefined' && publishesSimulcast(navigator.userAgent)) {
    for (const kind of ['audio', 'video'] as const) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      const transceiver = track
        ? this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], ...(kind === 'video' && simulcast ? { sendEncodings: SIMULCAST.map((e) => ({ ...e })) } : {}) })
        : this.pc.addTransceiver(kind, { direction: 'sendonly' });
      preferCodec(transceiver, kind === 'video' ? 'video/VP8' : 'audio/opus');
    }
  }

  /** The full offer SDP, with every candidate gathered within the timeout (no trickle ICE). */
  async offer(gatherTimeoutMs = GATHER_TIMEOUT_MS): Promise<string> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    await waitForIceGathering(this.pc, gatherTimeoutMs);
    return (this.pc.localDescription ?? offer).sdp ?? '';
  }

  async accept(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  }

  /** Closes the connection; the camera stays with its owner. */
  close(): void {
    this.pc.close();
  }
}

export interface SubscribeOffer {
  sdp: string;
  version: number;
  streams: StreamSlot[];
}

export class Subscriber {
  readonly pc = new RTCPeerConnection(PEER_CONFIG);
  #tail: Promise<void> = Promise.resolve();
  #version = -1;
  #streams: StreamSlot[] = [];

  /** `onChange` fires when tracks arrive or the stream map changes. */
  constructor(private readonly onChange: () => void) {
    this.pc.addEventListener('track', () => this.onChange());
  }

  get version(): number {
    return this.#version;
  }

  /**
   * Apply an offer and return the answer SDP. Offers are handled one after another in arrival order. An
   * offer of the version already applied only relabels the m-lines (the relay re-sends it with new `streams`
   * when other sources move behind the same m-lines): the streams are updated and null is returned (nothing
   * to answer); an older version is ignored (null).
   */
  handleOffer(offer: SubscribeOffer, gatherTimeoutMs = GATHER_TIMEOUT_MS): Promise<string | null> {
    const run = this.#tail.then(() => this.#apply(offer, gatherTimeoutMs));
    this.#tail = run.then(
      () => undefined,
      () => undefined, // the failure is reported through `run`; later offers still get their turn
    );
    return run;
  }

  /** Where each received track belongs; `selfPeerId`'s own seat is left out. */
  layout(selfPeerId: string | null): SlotLayout<MediaStreamTrack> {
    const transceivers = this.pc.getTransceivers();
    return layoutStreams(
      this.#streams,
      (mid) => transceivers.find((t) => t.mid === mid && t.currentDirection !== 'stopped')?.receiver.track,
      selfPeerId,
    );
  }

  close(): void {
    this.pc.close();
  }

  async #apply(offer: SubscribeOffer, gatherTimeoutMs: number): Promise<string | null> {
    if (offer.version < this.#version || this.pc.signalingState === 'closed') return null;
    if (offer.version === this.#version) {
      this.#streams = offer.streams;
      this.onChange();
      return null;
    }
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    for (const t of this.pc.getTransceivers()) {
      if (t.receiver.track.kind === 'video' && t.currentDirection === null) preferCodec(t, 'video/VP8');
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    await waitForIceGathering(this.pc, gatherTimeoutMs);
    this.#version = offer.version;
    this.#streams = offer.streams;
    this.onChange();
    return (this.pc.localDescription ?? answer).sdp ?? '';
  }
}
