// A participant of a live session: its publishing connection (publications) and its subscribing connection
// (slot senders the session points at publications). Children are owned here and closed with it.
import { RTCPeerConnection, type MediaStreamTrack, type PeerConfig, type RTCRtpReceiver } from 'werift';
import { describeError, InvalidStateError, JiaoyanError, RefusedError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { randomSecret } from '../core/secrets.js';
import type { Role, ServerMessage, StreamSlot } from '../signaling/protocol.js';
import { defaultAdaptationPreset, type AdaptationPreset } from './adaptation-preset.js';
import { DownlinkAdaptation, type DownlinkStatus, type RtcpSource } from './downlink-adaptation.js';
import { AUDIO_LEVEL_URI, relaySubscriberConfig } from './media-config.js';
import { localSdp } from './negotiation.js';
import { keepUsableCandidates } from './sdp-candidates.js';
import { bundleOnlyAsBundled, iceLiteAtSessionLevel, keepBaselineH264, simulcastStartBitrate } from './sdp-compat.js';
import type { RelayObserver } from './observer.js';
import type { PacketSource } from './packet-source.js';
import { Publication, type MediaKind, type PublicationOptions } from './publication.js';
import { orderRids } from './simulcast.js';
import { SlotSender, type SlotKind } from './slot-sender.js';
import { SubscriberRestarts } from './subscriber-restarts.js';

const log = logger('relay:participant');

export interface ParticipantInit {
  readonly id: string;
  readonly sessionId: string;
  readonly name: string;
  readonly venue: string;
  readonly role: Role;
  /** A monitor (CLI tools): no media, not listed, not counted. */
  readonly monitor?: boolean;
  /** Whether the relay sends this participant media (false for a school relay's proxy; default true). */
  readonly receives?: boolean;
  readonly peerConfig: Partial<PeerConfig>;
  /** Per-viewer adaptation thresholds (default: presets/adaptation/default.json). */
  readonly adaptation?: AdaptationPreset;
  readonly observer: RelayObserver;
  /** Deliver a message to this participant's client (the signaling connection). */
  readonly send: (message: ServerMessage) => void;
  /** Close this participant's signaling connection (removed by the host). */
  readonly disconnect: (reason: string) => void;
  /** Told when publications appear or go, so the session can re-point everyone's slots. */
  readonly onPublicationsChanged: () => void;
}

/** What this participant should receive: the main venue (the program feed), and seat publishers for the grid. */
export interface Layout {
  readonly main: ReadonlyMap<MediaKind, PacketSource>;
  readonly seats: readonly { peerId: string; publications: ReadonlyMap<MediaKind, PacketSource> }[];
}

export class Participant {
  readonly id: string;
  readonly sessionId: string;
  readonly name: string;
  readonly venue: string;
  readonly monitor: boolean;
  role: Role;
  seat = false;
  /** Hand raised: asking the host for a seat. */
  hand = false;
  readonly muted = { audio: false, video: false };
  readonly publications = new Map<MediaKind, Publication>();
  readonly joinedAt = Date.now();
  /** This participant's credential for the session's HTTP side (voice notices), valid while it is connected. */
  readonly memberToken = randomSecret(16);
  readonly #init: ParticipantInit;
  readonly #announced: string;
  #publisher: RTCPeerConnection | undefined;
  #subscriber: RTCPeerConnection | undefined;
  #adaptation: DownlinkAdaptation | undefined;
  readonly #slots: SlotSender[] = [];
  /** peerId behind each pair of seat slots (index = pair number). */
  readonly #seatPairs: (string | undefined)[] = [];
  #version = 0;
  /** The stream labels last sent, to skip announcements that change nothing. */
  #announcedLabels = '';
  #awaitingAnswer: number | undefined;
  #renegotiate = false;
  /** Fresh subscribing connections after a failure (subscriber-restarts.ts). */
  readonly #restarts = new SubscriberRestarts();
  #closed = false;

  constructor(init: ParticipantInit) {
    this.id = init.id;
    this.sessionId = init.sessionId;
    this.name = init.name;
    this.venue = init.venue;
    this.role = init.role;
    this.monitor = init.monitor ?? false;
    this.#init = init;
    this.#announced = init.peerConfig.iceAdditionalHostAddresses?.[0] ?? '';
  }

  get closed(): boolean {
    return this.#closed;
  }

  get publishing(): boolean {
    return this.publications.size > 0;
  }

  get canPublish(): boolean {
    return this.role === 'host' || this.seat;
  }

  send(message: ServerMessage): void {
    if (!this.#closed) this.#init.send(message);
  }

  /** Close this participant's connection (the session forgets it when the socket closes). */
  disconnect(reason: string): void {
    if (!this.#closed) this.#init.disconnect(reason);
  }

  /** Turn one's microphone or camera off or on: a muted track is held back at the relay too. */
  setMuted(kind: MediaKind, muted: boolean): void {
    this.muted[kind] = muted;
    this.publications.get(kind)?.setMuted(muted);
  }

  /** Answer the client's publishing offer; tracks become publications as they arrive. */
  async publish(offer: string): Promise<string> {
    if (this.#closed) throw new InvalidStateError('Participant');
    if (this.monitor) throw new RefusedError('MONITOR_NO_MEDIA');
    if (!this.canPublish) throw new RefusedError('VIEWER_CANNOT_PUBLISH');
    this.unpublish();
    const pc = new RTCPeerConnection(this.#init.peerConfig);
    this.#publisher = pc;
    pc.onTrack.subscribe((track) => {
      const transceiver = pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
      if (!transceiver) return;
      const kind = track.kind as MediaKind;
      this.publications.get(kind)?.close();
      const levelExt = transceiver.headerExtensions.find((e) => e.uri === AUDIO_LEVEL_URI)?.id;
      const pub = this.#publication(kind, track, transceiver.receiver, {
        ...(kind === 'audio' && levelExt !== undefined ? { audioLevelExtensionId: levelExt } : {}),
        muted: this.muted[kind],
      });
      this.publications.set(kind, pub);
      log('%s publishes %s%s', this.id, kind, pub.layers ? ` (simulcast: ${pub.layers.length} layers)` : '');
      this.#init.onPublicationsChanged();
    });
    pc.connectionStateChange.subscribe((state) => {
      if ((state === 'failed' || state === 'closed') && this.#publisher === pc) {
        log('%s publishing connection %s', this.id, state);
        this.unpublish();
      }
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: bundleOnlyAsBundled(keepUsableCandidates(offer, this.#announced)) });
      // werift takes any text as an offer: one without a media section would get an empty answer, and only after
      // localSdp's 5 s gathering timeout (the connection's requests wait meanwhile). Refuse it at once.
      if (pc.getTransceivers().length === 0) throw new Error('the offer has no audio or video section');
      await pc.setLocalDescription(await pc.createAnswer());
      return simulcastStartBitrate(keepBaselineH264(iceLiteAtSessionLevel(await localSdp(pc))));
    } catch (err) {
      this.unpublish();
      throw new RefusedError('BAD_SDP', { detail: (err as Error).message });
    }
  }

  /** A received track as a publication; a simulcast one as its best layer owning the others (one per rid). */
  #publication(kind: MediaKind, track: MediaStreamTrack, receiver: RTCRtpReceiver, opts: PublicationOptions): Publication {
    const rids = orderRids(Object.keys(receiver.trackByRID));
    if (kind !== 'video' || rids.length < 2) return new Publication(`${this.id}:${kind}`, this.id, track, receiver, this.#init.observer, opts);
    const layers = rids.map((rid, i) =>
      new Publication(i === rids.length - 1 ? `${this.id}:video` : `${this.id}:video:${rid}`, this.id, receiver.trackByRID[rid]!, receiver, this.#init.observer, opts));
    return layers.at(-1)!.withLowerLayers(layers.slice(0, -1));
  }

  unpublish(): void {
    const pc = this.#publisher;
    this.#publisher = undefined;
    const had = this.publications.size > 0;
    for (const p of this.publications.values()) p.close();
    this.publications.clear();
    if (pc) pc.close().catch((err: unknown) => log('close publisher: %O', err));
    if (had) this.#init.onPublicationsChanged();
  }

  /** Point this participant's slots at the layout, adding m-lines (and renegotiating) when it needs more. */
  async applyLayout(layout: Layout): Promise<void> {
    if (this.#closed || this.monitor || this.#init.receives === false) return;
    let added = false;
    if (!this.#subscriber) {
      this.#subscriber = this.#createSubscriber();
      this.#addPair('main');
      added = true;
    }
    // Reuse seat pairs whose peer is gone; add pairs only when more seats must be shown.
    const keep = new Set(layout.seats.map((s) => s.peerId));
    for (let i = 0; i < this.#seatPairs.length; i++) if (!keep.has(this.#seatPairs[i] ?? '')) this.#seatPairs[i] = undefined;
    for (const s of layout.seats) {
      if (this.#seatPairs.includes(s.peerId)) continue;
      let free = this.#seatPairs.indexOf(undefined);
      if (free < 0) {
        this.#addPair('seat');
        this.#seatPairs.push(undefined);
        free = this.#seatPairs.length - 1;
        added = true;
      }
      this.#seatPairs[free] = s.peerId;
    }
    const adaptation = this.#adaptation!;
    this.#pairSlots('main', 0)?.forEach((slot) => adaptation.feed(slot, layout.main.get(slot.kind)));
    this.#seatPairs.forEach((peerId, i) => {
      const pubs = layout.seats.find((s) => s.peerId === peerId)?.publications;
      this.#pairSlots('seat', i)?.forEach((slot) => adaptation.feed(slot, pubs?.get(slot.kind)));
    });
    if (added) await this.#negotiate();
    else this.#announceStreams();
  }

  #createSubscriber(): RTCPeerConnection {
    const pc = new RTCPeerConnection(relaySubscriberConfig(this.#init.peerConfig));
    this.#adaptation = new DownlinkAdaptation(this.#init.adaptation ?? defaultAdaptationPreset());
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') for (const s of this.#slots) s.publication?.requestKeyframe();
      if (state === 'failed') this.#subscriberFailed(pc);
    });
    return pc;
  }

  /**
   * The client's subscribing connection failed on its side (`resubscribe`): start a new one, within the budget.
   * `answered`: the last version the client answered on it — a connection already replaced is left alone.
   */
  async resubscribe(answered?: number): Promise<void> {
    if (this.monitor) throw new RefusedError('MONITOR_NO_MEDIA');
    if (this.#closed || !this.#subscriber || !this.#restarts.allow(answered)) return; // no media yet (a proxy: never)
    await this.#restartSubscriber('asked by the client');
  }

  /** Our side of the subscribing connection failed (DTLS or ICE): start a new one, or give up past the budget. */
  #subscriberFailed(pc: RTCPeerConnection): void {
    if (pc !== this.#subscriber || this.#closed) return;
    // Given up (SUBSCRIBE_RESTART_LIMIT): the failed connection stays until the client rejoins or asks again later.
    Promise.resolve().then(() => (this.#restarts.allow() ? this.#restartSubscriber('failed') : undefined)).catch((err: unknown) => {
      log('%s: no new subscribing connection: %O', this.id, err);
      const { code, message } = describeError(err);
      this.send({ type: 'error', code, message, ...(err instanceof JiaoyanError ? { params: err.params } : {}) });
    });
  }

  /**
   * Replace the subscribing connection: a new one with the same m-lines, each fed what its old one was, offered with
   * `restart` under a new version (answers to older versions are ignored; a pending negotiation is superseded).
   */
  async #restartSubscriber(why: string): Promise<void> {
    const old = this.#slots.splice(0);
    const sources = old.map((s) => this.#adaptation?.sourceOf(s));
    for (const s of old) s.close();
    this.#adaptation?.close();
    this.#subscriber?.close().catch((err: unknown) => log('close subscriber: %O', err));
    log('%s subscribing connection restarts (%s)', this.id, why);
    this.#subscriber = this.#createSubscriber();
    for (let i = 0; i < old.length; i += 2) this.#addPair(old[i]!.slot);
    this.#slots.forEach((s, i) => this.#adaptation!.feed(s, sources[i]));
    this.#restarts.started(this.#version + 1); // the version #negotiate gives the restart's offer
    await this.#negotiate(true);
  }

  #addPair(slot: SlotKind): void {
    const pc = this.#subscriber!;
    for (const kind of ['audio', 'video'] as const) {
      const t = pc.addTransceiver(kind, { direction: 'sendonly' });
      const sender = new SlotSender(`${this.#slots.length}`, kind, slot, t, this.#init.observer);
      this.#slots.push(sender);
      this.#adaptation!.add(sender, t.sender as unknown as RtcpSource);
    }
  }

  #pairSlots(slot: SlotKind, index: number): SlotSender[] | undefined {
    const pairs = this.#slots.filter((s) => s.slot === slot);
    const pair = pairs.slice(index * 2, index * 2 + 2);
    return pair.length === 2 ? pair : undefined;
  }

  #streams(): StreamSlot[] {
    const pc = this.#subscriber;
    if (!pc) return [];
    const transceivers = pc.getTransceivers();
    return this.#slots.map((s) => {
      const mid = transceivers.find((t) => t.sender === s.sender)?.mid ?? s.mid;
      // The source the m-line shows, even while its video is paused for this viewer's link.
      const peerId = this.#adaptation?.sourceOf(s)?.peerId;
      return { mid, kind: s.kind, slot: s.slot, ...(peerId ? { peerId } : {}) };
    });
  }

  #announceStreams(): void {
    if (this.#awaitingAnswer !== undefined || !this.#subscriber?.localDescription) return;
    // Same m-lines, new sources: re-send the current description so the client can relabel its tiles —
    // only when a label actually changed (joins and leaves of viewers change nothing here).
    const streams = this.#streams();
    const labels = JSON.stringify(streams);
    if (labels === this.#announcedLabels) return;
    this.#announcedLabels = labels;
    this.send({ type: 'subscribeOffer', sdp: iceLiteAtSessionLevel(this.#subscriber.localDescription.sdp), version: this.#version, streams });
  }

  /** Offer the current m-lines; `restart`: on a new connection, superseding any negotiation in progress. */
  async #negotiate(restart = false): Promise<void> {
    const pc = this.#subscriber;
    if (!pc || this.#closed) return;
    if (this.#awaitingAnswer !== undefined && !restart) {
      this.#renegotiate = true;
      return;
    }
    const version = ++this.#version;
    this.#awaitingAnswer = version;
    if (restart) this.#renegotiate = false;
    let sdp: string;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      sdp = iceLiteAtSessionLevel(await localSdp(pc));
    } catch (err) {
      if (pc !== this.#subscriber || this.#closed) return; // replaced by a restart meanwhile: nothing to offer
      if (this.#awaitingAnswer === version) this.#awaitingAnswer = undefined;
      throw err;
    }
    // A restart (or a newer one) replaced the connection meanwhile: its own offer goes out instead.
    if (pc !== this.#subscriber || version !== this.#awaitingAnswer || this.#closed) return;
    const streams = this.#streams();
    this.#announcedLabels = JSON.stringify(streams);
    this.send({ type: 'subscribeOffer', sdp, version, streams, ...(restart ? { restart: true } : {}) });
  }

  /** The client's answer to our offer `version`; a stale answer is ignored. */
  async acceptAnswer(sdp: string, version: number): Promise<void> {
    const pc = this.#subscriber;
    if (!pc || version !== this.#awaitingAnswer) return;
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: keepUsableCandidates(sdp, this.#announced) });
    } catch (err) {
      if (pc !== this.#subscriber) return; // a restart replaced the connection meanwhile
      throw new RefusedError('BAD_SDP', { detail: (err as Error).message });
    } finally {
      if (this.#awaitingAnswer === version) this.#awaitingAnswer = undefined;
    }
    if (this.#renegotiate && pc === this.#subscriber) {
      this.#renegotiate = false;
      await this.#negotiate();
    }
  }

  /** Bytes sent to this participant, and the loss and round-trip time its receiver reports give (for status). */
  downlink(): { bytes: number; loss: number | null; rttMs: number | null } {
    let bytes = 0;
    let loss: number | null = null;
    let rtt: number | null = null;
    for (const s of this.#slots) {
      bytes += s.bytes;
      const w = s.sender as unknown as { remoteFractionLost?: number; rtt?: number };
      if (s.publication && typeof w.remoteFractionLost === 'number') loss = Math.max(loss ?? 0, w.remoteFractionLost);
      if (s.publication && typeof w.rtt === 'number') rtt = Math.max(rtt ?? 0, w.rtt * 1000);
    }
    return { bytes, loss, rttMs: rtt === null ? null : Math.round(rtt) };
  }

  /** The layer this participant's main video gets and its link's estimate (for status); null without a subscription. */
  downlinkStatus(): DownlinkStatus | null {
    return this.#adaptation?.status() ?? null;
  }

  /** Bytes/packets this participant has been sent, per slot (for stats). */
  slotStats(): { mid: string; kind: MediaKind; slot: SlotKind; packets: number; peerId?: string }[] {
    return this.#slots.map((s) => ({ mid: s.mid, kind: s.kind, slot: s.slot, packets: s.packets, ...(s.publication ? { peerId: s.publication.peerId } : {}) }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.unpublish();
    for (const s of this.#slots) s.close();
    this.#adaptation?.close();
    this.#subscriber?.close().catch((err: unknown) => log('close subscriber: %O', err));
    this.#subscriber = undefined;
  }
}
