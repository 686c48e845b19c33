// The headless client's subscribing connection: answers the relay's `subscribeOffer`s, reports each received track
// once and counts its packets per mid. A restart (`subscribeOffer.restart`: the relay replaced its side) closes the
// connection and answers on a new one, whose tracks are reported again; when ours fails first (werift's DTLS client
// gives up, the relay's side may never notice) it asks the relay for a new one (`resubscribe`), within the relay's
// own budget.
import { RTCPeerConnection, type MediaStreamTrack, type PeerConfig, type RTCRtpReceiver } from 'werift';
import { logger } from '../core/log.js';
import { localSdp } from '../relay/negotiation.js';
import { RestartBudget } from '../relay/subscriber-restarts.js';
import type { ClientMessage, ServerMessage, StreamSlot } from '../signaling/protocol.js';

const log = logger('client:subscription');

export interface ReceivedTrack {
  readonly mid: string;
  readonly kind: 'audio' | 'video';
  readonly slot: 'main' | 'seat';
  readonly peerId?: string;
  readonly track: MediaStreamTrack;
  /** The receiver of the track (keyframe requests, codecs). */
  readonly receiver?: RTCRtpReceiver;
  /** The subscribing connection it came on: 1, then one more after each restart. */
  readonly connection: number;
}

export interface SubscriptionHooks {
  /** The configuration of a new subscribing connection. */
  readonly config: () => Partial<PeerConfig>;
  readonly send: (message: ClientMessage) => void;
  readonly onTrack: (track: ReceivedTrack) => void;
}

export class Subscription {
  /** The tracks of the current connection (a restart replaces them). */
  readonly tracks: ReceivedTrack[] = [];
  /** Packets received per mid, counted on across restarts (a new connection has the same m-lines). */
  readonly received = new Map<string, number>();
  readonly #hooks: SubscriptionHooks;
  readonly #resubscribes = new RestartBudget();
  #pc: RTCPeerConnection | undefined;
  #streams: StreamSlot[] = [];
  #answeredVersion = 0;
  #connections = 0;
  #closed = false;

  constructor(hooks: SubscriptionHooks) {
    this.#hooks = hooks;
  }

  /** Current stream slots (what each received mid carries). */
  get streams(): readonly StreamSlot[] {
    return this.#streams;
  }

  /** Connections made so far (1 after the first offer; each restart adds one). */
  get connections(): number {
    return this.#connections;
  }

  get pc(): RTCPeerConnection | undefined {
    return this.#pc;
  }

  async answer(m: Extract<ServerMessage, { type: 'subscribeOffer' }>): Promise<void> {
    if (this.#closed) return;
    if (m.restart && m.version > this.#answeredVersion) this.#drop();
    this.#streams = m.streams;
    // An offer of a version already answered only relabels the streams (docs/protocol.md).
    if (m.version <= this.#answeredVersion) return;
    this.#answeredVersion = m.version;
    const pc = this.#pc ?? this.#connect();
    await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    const sdp = await localSdp(pc);
    if (pc === this.#pc) this.#hooks.send({ type: 'subscribeAnswer', sdp, version: m.version });
  }

  #connect(): RTCPeerConnection {
    const pc = new RTCPeerConnection(this.#hooks.config());
    const connection = ++this.#connections;
    this.#pc = pc;
    pc.onTrack.subscribe((track) => {
      // werift announces every track again on each renegotiation: one `track` (and one counter) per track.
      if (pc !== this.#pc || this.tracks.some((x) => x.track === track)) return;
      const t = pc.getTransceivers().find((x) => x.receiver.tracks.includes(track));
      const mid = t?.mid ?? '';
      const slot = this.#streams.find((s) => s.mid === mid);
      track.onReceiveRtp.subscribe(() => this.received.set(mid, (this.received.get(mid) ?? 0) + 1));
      const rt: ReceivedTrack = {
        mid, kind: track.kind as 'audio' | 'video', slot: slot?.slot ?? 'main', ...(slot?.peerId ? { peerId: slot.peerId } : {}), track,
        ...(t ? { receiver: t.receiver } : {}), connection,
      };
      this.tracks.push(rt);
      this.#hooks.onTrack(rt);
    });
    pc.connectionStateChange.subscribe((state) => {
      if (state !== 'failed' || pc !== this.#pc || this.#closed) return;
      if (!this.#resubscribes.take()) return log('subscribing connection failed again: not asking for another');
      log('subscribing connection failed: asking the relay for a new one');
      this.#hooks.send({ type: 'resubscribe', version: this.#answeredVersion });
    });
    return pc;
  }

  #drop(): void {
    this.#pc?.close().catch((err: unknown) => log('close: %O', err));
    this.#pc = undefined;
    this.tracks.splice(0);
  }

  /** Ask the relay for keyframes on every received video track (e.g. when a recording starts). */
  requestKeyframes(): void {
    for (const t of this.#pc?.getTransceivers() ?? []) {
      for (const track of t.receiver.tracks) {
        const ssrc = track.ssrc ?? track.header?.ssrc;
        if (track.kind === 'video' && ssrc !== undefined) t.receiver.sendRtcpPLI(ssrc).catch((err: unknown) => log('PLI: %O', err));
      }
    }
  }

  close(): void {
    this.#closed = true;
    this.#pc?.close().catch((err: unknown) => log('close: %O', err));
  }
}
