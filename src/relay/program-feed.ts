// The program: what every viewer watches — the main venue's audio and video as ONE continuous pair of streams.
// Handing the main venue to another venue never renegotiates and never shows a broken picture: the feed keeps
// forwarding the current venue, asks the new one for a keyframe (again every half second until it comes), and
// switches video exactly on that keyframe and audio at the same moment. Sequence numbers and timestamps continue
// across the switch, so every viewer's m-line (and a recording of the program) sees one stream. A simulcast venue's
// lower layers travel as lower program tracks beside the video (which carries the best layer): each viewer's m-line
// is fed the one its link takes.
import type { RtpPacket } from 'werift';
import { RtpHeader, RtpPacket as Packet } from 'werift';
import { TypedEmitter } from '../core/emitter.js';
import { StreamContinuity } from './continuity.js';
import { isKeyframeStart } from './keyframe.js';
import type { CodecName, MediaKind, PacketListener, PacketSource } from './packet-source.js';
import type { Publication } from './publication.js';

/** The program's own payload type per codec: venues may number the same codec differently (Chrome 96, Firefox 120). */
const PROGRAM_PT: Record<CodecName, number> = { vp8: 96, h264: 102, opus: 111 };
const CODEC_OF_PT = new Map(Object.entries(PROGRAM_PT).map(([c, pt]) => [pt, c as CodecName]));

/** How often a pending handoff asks the new venue for a keyframe again. */
const RETRY_MS = 500;

/** A venue that can be the main venue: its participant and publications (audio and/or video). */
export interface ProgramSource {
  readonly peerId: string;
  readonly venue: string;
  readonly publications: ReadonlyMap<MediaKind, Publication>;
}

/** One of the program's two streams. Its packets are the feed's own objects, numbered continuously. */
export class ProgramTrack implements PacketSource {
  readonly kind: MediaKind;
  readonly #listeners = new Set<PacketListener>();
  #source: Publication | undefined;
  #unsubscribe: (() => void) | undefined;
  #waitingForKeyframe = false;
  readonly #numbers: StreamContinuity;
  /** The last packet object forwarded: a listener added while its source is delivering sees that packet again. */
  #lastIn: RtpPacket | undefined;
  #requestKeyframe: () => void;
  /** The program's lower layers (lowest first) when this is the video and the venue simulcasts. */
  #lower: readonly ProgramTrack[] = [];
  packets = 0;
  lastPacketAt = 0;

  constructor(kind: MediaKind, requestKeyframe: () => void) {
    this.kind = kind;
    this.#numbers = new StreamContinuity(kind);
    this.#requestKeyframe = requestKeyframe;
  }

  get peerId(): string {
    return this.#source?.peerId ?? '';
  }

  get closed(): boolean {
    return false;
  }

  get source(): Publication | undefined {
    return this.#source;
  }

  /** The layers a viewer can be fed, lowest first, this track last; undefined when the venue sends one layer. */
  get layers(): readonly ProgramTrack[] | undefined {
    if (!this.#source?.layers) return undefined;
    const live = this.#lower.filter((t) => t.source !== undefined);
    return live.length > 0 ? [...live, this] : undefined;
  }

  /** The tracks that carry the lower layers of this one (set once by the feed). */
  withLowerTracks(lower: readonly ProgramTrack[]): this {
    this.#lower = lower;
    return this;
  }

  get senderReport(): { ntp: bigint; rtp: number } | undefined {
    const sr = this.#source?.senderReport;
    return sr ? { ntp: sr.ntp, rtp: (sr.rtp + this.#numbers.tsOffset) >>> 0 } : undefined;
  }

  subscribe(listener: PacketListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  requestKeyframe(): void {
    this.#requestKeyframe();
  }

  requestKeyframeNow(): void {
    this.#source?.requestKeyframeNow();
  }

  codecOf(payloadType: number): CodecName | undefined {
    return CODEC_OF_PT.get(payloadType);
  }

  /**
   * Feed from `source` from now on. `first` is a packet of it to forward at once (the keyframe that triggered a
   * handoff); without one, video waits for the source's next keyframe.
   */
  switchTo(source: Publication | undefined, first?: RtpPacket): void {
    if (source === this.#source && !first) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#source = source;
    this.#numbers.restart();
    this.#waitingForKeyframe = this.kind === 'video' && !first;
    if (!source || source.closed) return;
    if (first) this.#forward(first);
    this.#unsubscribe = source.subscribe((p) => this.#forward(p));
  }

  #forward(packet: RtpPacket): void {
    if (packet === this.#lastIn) return;
    this.#lastIn = packet;
    const h = packet.header;
    const codec = this.#source?.codecOf(h.payloadType);
    if (!codec) return;
    if (this.#waitingForKeyframe) {
      if (!isKeyframeStart(packet.payload, codec)) return;
      this.#waitingForKeyframe = false;
    }
    const out = this.#numbers.map(h.sequenceNumber, h.timestamp);
    if (!out) return; // late reorder
    const { seq, ts } = out;
    this.packets++;
    this.lastPacketAt = Date.now();
    const packetOut = new Packet(
      new RtpHeader({ marker: h.marker, payloadType: PROGRAM_PT[codec], sequenceNumber: seq, timestamp: ts, ssrc: h.ssrc, extensions: [] }),
      packet.payload,
    );
    for (const l of this.#listeners) l(packetOut);
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#source = undefined;
    this.#listeners.clear();
  }
}

export type ProgramFeedEvents = {
  /** The main venue changed (the switch happened), or a handoff started or was dropped. */
  changed: [];
};

/** How many lower layers the program carries besides its best one (browsers publish three in all). */
const LOWER_LAYERS = 2;

export class ProgramFeed extends TypedEmitter<ProgramFeedEvents> {
  readonly audio: ProgramTrack;
  /** The main venue's video — its best layer when it simulcasts (what recordings take). */
  readonly video: ProgramTrack;
  readonly #lower: ProgramTrack[];
  #current: ProgramSource | undefined;
  #pending: ProgramSource | undefined;
  #pendingUnsubscribe: (() => void) | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  /** Handoffs completed (switches on a keyframe or to a venue without video). */
  switches = 0;

  constructor() {
    super();
    const keyframe = () => (this.#pending ?? this.#current)?.publications.get('video')?.requestKeyframe();
    this.audio = new ProgramTrack('audio', () => undefined);
    this.#lower = Array.from({ length: LOWER_LAYERS }, () => {
      const t: ProgramTrack = new ProgramTrack('video', () => t.source?.requestKeyframe());
      return t;
    });
    this.video = new ProgramTrack('video', keyframe).withLowerTracks(this.#lower);
  }

  get current(): ProgramSource | undefined {
    return this.#current;
  }

  get pending(): ProgramSource | undefined {
    return this.#pending;
  }

  /**
   * Make `source` the main venue. While the current venue is still publishing the switch waits for the new
   * venue's keyframe; if the current one is gone (or there is none), it happens now and video resumes on the
   * next keyframe.
   */
  set(source: ProgramSource | undefined): void {
    if (this.#closed) return;
    const target = this.#pending ?? this.#current;
    if (source && target && sameSource(source, target)) return;
    this.#cancelPending();
    const currentLive = this.#current && [...this.#current.publications.values()].some((p) => !p.closed);
    const newVideo = source?.publications.get('video');
    if (!source || !currentLive || !newVideo || newVideo.closed) {
      this.#switch(source);
      return;
    }
    this.#pending = source;
    // A simulcast venue switches on the first keyframe of any of its layers (its best one may not be sending).
    const layers = newVideo.layers ?? [newVideo];
    const unsubscribes = layers.map((layer) => layer.subscribe((packet) => {
      if (this.#pending === source && isKeyframeStart(packet.payload, layer.codecOf(packet.header.payloadType))) this.#switch(source, packet, layer);
    }));
    this.#pendingUnsubscribe = () => unsubscribes.forEach((u) => u());
    const ask = () => layers.forEach((l) => l.requestKeyframeNow());
    ask();
    this.#retry = setInterval(ask, RETRY_MS);
    this.#retry.unref();
    this.safeEmit('changed');
  }

  /** Switch to `source`; `keyframe` (of its video layer `from`) is the packet the switch happens on. */
  #switch(source: ProgramSource | undefined, keyframe?: RtpPacket, from?: Publication): void {
    this.#cancelPending();
    this.#current = source;
    const video = source?.publications.get('video');
    // Audio and video change together: on the keyframe when there is one, else now.
    this.audio.switchTo(source?.publications.get('audio'));
    const first = (layer: Publication | undefined) => (keyframe && layer === (from ?? video) ? keyframe : undefined);
    this.video.switchTo(video, first(video));
    if (video && !first(video)) video.requestKeyframeNow();
    // Lower layers switch at the same moment and resume on their own keyframes.
    const lower = video?.layers?.slice(0, -1).slice(-LOWER_LAYERS) ?? [];
    this.#lower.forEach((track, i) => {
      const layer = lower[i];
      track.switchTo(layer, first(layer));
      if (layer && !first(layer)) layer.requestKeyframeNow();
    });
    if (source) this.switches++;
    this.safeEmit('changed');
  }

  #cancelPending(): void {
    this.#pendingUnsubscribe?.();
    this.#pendingUnsubscribe = undefined;
    if (this.#retry) clearInterval(this.#retry);
    this.#retry = undefined;
    this.#pending = undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelPending();
    this.audio.close();
    this.video.close();
    for (const t of this.#lower) t.close();
    this.#current = undefined;
    this.removeAllListeners();
  }
}

function sameSource(a: ProgramSource, b: ProgramSource): boolean {
  if (a.peerId !== b.peerId) return false;
  for (const kind of ['audio', 'video'] as const) if (a.publications.get(kind) !== b.publications.get(kind)) return false;
  return true;
}
