// A live session: its participants, seats, the program feed (main venue) and rundown, and the discussion;
// decides who receives what. Host actions are methods here; the signaling layer checks nothing but the role.
import { randomUUID } from 'node:crypto';
import type { PeerConfig } from 'werift';
import { describeError, InvalidStateError, RefusedError, type JiaoyanError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { ChatMessage, RundownStep, ServerMessage } from '../signaling/protocol.js';
import type { JoinRequest, SessionDescriptor, SessionHooks, UpstreamControl } from './session-types.js';
import { ChatRoom } from './chat-room.js';
import type { RelayObserver } from './observer.js';
import type { MediaKind } from './packet-source.js';
import { Participant, type Layout } from './participant.js';
import { ProgramFeed, type ProgramSource } from './program-feed.js';
import { parseRundown } from './rundown.js';
import { SessionStatusReporter } from './session-status.js';
import { layoutOf } from './session-layout.js';
import { SessionDocs } from './session-docs.js';

const log = logger('relay:session');

/** How long state changes are gathered before they are broadcast. */
const STATE_COALESCE_MS = 30;

export type { ForwardedRequest, JoinRequest, SessionDescriptor, SessionHooks, UpstreamControl } from './session-types.js';

export class LiveSession {
  readonly info: SessionDescriptor;
  readonly participants = new Map<string, Participant>();
  readonly program = new ProgramFeed();
  readonly rundown: readonly RundownStep[];
  readonly chat: ChatRoom;
  /** The session's shared documents (Yjs). */
  readonly docs: SessionDocs;
  readonly #peerConfig: Partial<PeerConfig>;
  readonly #observer: RelayObserver;
  readonly #hooks: SessionHooks;
  readonly #status: SessionStatusReporter;
  /** The venue's participant the host pushed to (kept while it publishes). */
  #pushedPeerId: string | null = null;
  /** Whether the relay is recording this session (set by the recording hook). */
  recording = false;
  /**
   * On a school relay (cascade): the upstream relay's program is this session's main venue, whatever is
   * published locally; `undefined` for an ordinary session.
   */
  #upstream: { source: ProgramSource | undefined; link: 'connected' | 'reconnecting'; venue: string | null } | undefined;
  /** How local requests reach the upstream relay (cascade), once the link is set up. */
  upstreamControl: UpstreamControl | undefined;
  #step: number | null;
  #closed = false;
  #layoutQueued = false;
  #stateTimer: NodeJS.Timeout | undefined;

  constructor(info: SessionDescriptor, peerConfig: Partial<PeerConfig>, observer: RelayObserver, hooks: SessionHooks = {}) {
    this.info = info;
    this.rundown = parseRundown(info.venues);
    this.#step = info.step ?? null;
    this.#peerConfig = peerConfig;
    this.#observer = observer;
    this.#hooks = hooks;
    this.chat = new ChatRoom(info.id, info.createdAt ? Date.parse(info.createdAt) : Date.now(), hooks.chat);
    this.#status = new SessionStatusReporter(this, hooks.load);
    this.docs = new SessionDocs({ sessionId: info.id, observer, storage: hooks.docs, timing: hooks.docTiming, everyone: () => this.participants.values() });
    this.program.on('changed', () => {
      this.#scheduleLayout();
      this.broadcastState();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get mainPeerId(): string | null {
    return this.program.current?.peerId ?? null;
  }

  get selfSeat(): boolean {
    return this.info.selfSeat ?? true;
  }

  get seatsTaken(): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.seat) n++;
    return n;
  }

  join(req: JoinRequest): Participant {
    if (this.#closed) throw new InvalidStateError('LiveSession');
    const p = new Participant({
      id: randomUUID(), sessionId: this.info.id, name: req.name, venue: req.venue, role: req.role, monitor: req.monitor ?? false, receives: !req.proxy,
      peerConfig: this.#peerConfig, observer: this.#observer, send: req.send, disconnect: req.disconnect,
      onPublicationsChanged: () => this.#publicationsChanged(),
    });
    this.participants.set(p.id, p);
    this.#observer.safeEmit('peerJoined', this.info.id, p.id);
    log('%s joined %s as %s%s (%s, %s)', p.id, this.info.code, p.role, p.monitor ? ' monitor' : '', p.name, p.venue);
    if (p.monitor) {
      p.send(this.stateMessage());
      if (p.role === 'host') this.#status.watch(p);
    } else {
      this.#scheduleLayout();
      this.broadcastState();
    }
    this.docs.joined(p);
    if (this.upstreamControl) p.send({ type: 'chatHistory', messages: this.upstreamControl.chatHistory() });
    else this.chat.history().then((messages) => p.send({ type: 'chatHistory', messages }), (err: unknown) => log('chat history: %O', err));
    return p;
  }

  // ── Seats and hands ─────────────────────────────────────────────────────────────────────────────────────────

  /** A viewer takes a free seat (where the kind allows it). The host publishes without one: nothing to do. */
  /** Whether this session mirrors an upstream relay's (cascade). */
  get mirrored(): boolean {
    return this.#upstream !== undefined;
  }

  /** Feed this session from the upstream relay's program (cascade); `source` undefined while the link is down. */
  setUpstream(source: ProgramSource | undefined, link: 'connected' | 'reconnecting', venue: string | null): void {
    if (this.#closed) return;
    this.#upstream = { source, link, venue };
    this.#chooseMain();
    this.#scheduleLayout();
    this.broadcastState();
  }

  /** Cascade: the upstream host granted (or took back) a local participant's seat; the relay did the checks. */
  applyUpstreamSeat(p: Participant, granted: boolean): void {
    if (granted === p.seat) return;
    if (granted) {
      p.seat = true;
      p.hand = false;
      p.role = 'speaker';
      this.#scheduleLayout();
      this.broadcastState();
    } else {
      this.leaveSeat(p);
    }
    p.send({ type: 'seat', granted });
  }

  /** Cascade: a discussion message from upstream, to everyone here. */
  deliverChat(message: ChatMessage): void {
    const out: ServerMessage = { type: 'chat', message };
    for (const o of this.participants.values()) o.send(out);
  }

  takeSeat(p: Participant): void {
    if (p.monitor) throw new RefusedError('MONITOR_NO_MEDIA');
    if (this.#upstream) throw new RefusedError('SEATS_UPSTREAM');
    if (p.role === 'host' || p.seat) return;
    if (!this.selfSeat) throw new RefusedError('SEAT_BY_HOST');
    this.#seat(p);
  }

  #seat(p: Participant): void {
    if (this.seatsTaken >= this.info.seats) throw new RefusedError('SEAT_FULL', { seats: this.info.seats });
    p.seat = true;
    p.hand = false;
    p.role = 'speaker';
    this.#scheduleLayout();
    this.broadcastState();
  }

  leaveSeat(p: Participant): void {
    if (!p.seat) return;
    p.seat = false;
    p.role = 'viewer';
    p.unpublish();
    this.#scheduleLayout();
    this.broadcastState();
  }

  raiseHand(p: Participant, raised: boolean): void {
    if (p.monitor || p.role === 'host' || p.seat) return;
    if (p.hand === raised) return;
    p.hand = raised;
    this.broadcastState();
  }

  grantSeat(target: Participant): void {
    if (target.role === 'host' || target.monitor) throw new RefusedError('HOST_HAS_NO_SEAT');
    if (target.seat) throw new RefusedError('SEAT_ALREADY_HELD', { name: target.name });
    this.#seat(target);
    target.send({ type: 'seat', granted: true });
  }

  revokeSeat(target: Participant): void {
    if (!target.seat) throw new RefusedError('SEAT_NOT_HELD', { name: target.name });
    this.leaveSeat(target);
    target.send({ type: 'seat', granted: false });
  }

  /** One's own microphone / camera. */
  setMuted(p: Participant, kind: MediaKind, muted: boolean): void {
    p.setMuted(kind, muted);
    this.broadcastState();
  }

  /** The host turns someone's microphone or camera off. Nobody but its owner turns it back on. */
  muteParticipant(target: Participant, kind: MediaKind): void {
    target.setMuted(kind, true);
    target.send({ type: 'mutedByHost', kind });
    this.broadcastState();
  }

  removeParticipant(target: Participant): void {
    target.send({ type: 'ended', reason: 'removed' });
    target.disconnect('removed');
    this.leave(target);
  }

  /** A participant by peer id (monitors excluded), or RefusedError. */
  participant(peerId: string): Participant {
    const p = this.participants.get(peerId);
    if (!p || p.monitor) throw new RefusedError('PEER_UNKNOWN', { peer: peerId });
    return p;
  }

  leave(p: Participant): void {
    if (!this.participants.delete(p.id)) return;
    p.close();
    this.upstreamControl?.left(p);
    this.#status.unwatch(p);
    this.chat.forget(p.id);
    this.docs.leave(p);
    if (this.#pushedPeerId === p.id) this.#pushedPeerId = null;
    this.#observer.safeEmit('peerLeft', this.info.id, p.id);
    log('%s left %s', p.id, this.info.code);
    if (!p.monitor) this.#publicationsChanged();
  }

  // ── Main venue and rundown ──────────────────────────────────────────────────────────────────────────────────

  /** Hand the main venue to `venue`: switches on its next keyframe. Refused when nobody there publishes. */
  pushVenue(venue: string): void {
    const there = [...this.participants.values()].filter((p) => !p.monitor && p.venue === venue);
    if (there.length === 0) throw new RefusedError('VENUE_ABSENT', { venue });
    const publishing = there.filter((p) => p.publishing && (p.role === 'host' || p.seat));
    const chosen = publishing.find((p) => p.role === 'host') ?? publishing.sort((a, b) => a.joinedAt - b.joinedAt)[0];
    if (!chosen) throw new RefusedError('VENUE_NOT_PUBLISHING', { venue });
    this.#pushedPeerId = chosen.id;
    log('%s: main venue → %s (%s)', this.info.code, venue, chosen.id);
    this.#chooseMain();
  }

  /** Step the rundown on and push its venue; the step stays where it was if the push is refused. */
  nextStep(): RundownStep {
    if (this.rundown.length === 0) throw new RefusedError('RUNDOWN_EMPTY');
    const next = this.#step === null ? 0 : this.#step + 1;
    const step = this.rundown[next];
    if (!step) throw new RefusedError('RUNDOWN_END', { step: this.rundown[this.rundown.length - 1]!.label });
    this.pushVenue(step.venue);
    this.#step = next;
    this.#hooks.saveStep?.(this.info.id, next);
    this.broadcastState();
    return step;
  }

  /** The recording stopped by itself (disk full, a write failed): everyone's state shows it, the hosts hear why. */
  recordingInterrupted(error: JiaoyanError): void {
    if (this.#closed) return;
    this.recording = false;
    this.broadcastState();
    const { code, message } = describeError(error);
    for (const p of this.participants.values()) if (p.role === 'host') p.send({ type: 'error', code, message, params: error.params });
  }

  /** Start or stop the recording (host). */
  async setRecording(on: boolean, by: string): Promise<void> {
    if (!this.#hooks.record) throw new RefusedError('RECORDING_UNAVAILABLE');
    await this.#hooks.record(this, on, by);
    this.broadcastState();
  }

  get step(): number | null {
    return this.#step;
  }

  #publicationsChanged(): void {
    if (this.#closed) return;
    this.#chooseMain();
    this.#scheduleLayout();
    this.broadcastState();
  }

  /** The pushed venue while it publishes, else the host while publishing, else the current main, else the first seat. */
  #chooseMain(): void {
    if (this.#upstream) return this.program.set(this.#upstream.source);
    const all = [...this.participants.values()].filter((p) => !p.monitor);
    const live = (p: Participant | undefined) => (p && p.publishing && (p.role === 'host' || p.seat) ? p : undefined);
    const pushed = live(this.#pushedPeerId ? this.participants.get(this.#pushedPeerId) : undefined);
    if (!pushed) this.#pushedPeerId = null;
    const host = all.find((p) => p.role === 'host' && p.publishing);
    const currentId = this.program.pending?.peerId ?? this.program.current?.peerId;
    const current = live(currentId ? this.participants.get(currentId) : undefined);
    const next = pushed ?? host ?? current ?? all.filter((p) => p.seat && p.publishing).sort((a, b) => a.joinedAt - b.joinedAt)[0];
    this.program.set(next ? sourceOf(next) : undefined);
  }

  layoutFor(p: Participant): Layout {
    return layoutOf(this, p);
  }

  /** Re-point everyone's slots once per tick, however many changes happened. */
  #scheduleLayout(): void {
    if (this.#layoutQueued) return;
    this.#layoutQueued = true;
    queueMicrotask(() => {
      this.#layoutQueued = false;
      if (this.#closed) return;
      for (const p of this.participants.values()) {
        if (p.monitor) continue;
        p.applyLayout(this.layoutFor(p)).catch((err: unknown) => {
          log('layout for %s failed: %O', p.id, err);
          p.send({ type: 'error', code: 'INTERNAL', message: (err as Error).message });
        });
      }
    });
  }

  // ── Discussion ──────────────────────────────────────────────────────────────────────────────────────────────

  postChat(p: Participant, text: string): ChatMessage {
    const message = this.chat.post({ peerId: p.id, name: p.name, venue: p.venue }, text);
    const out: ServerMessage = { type: 'chat', message };
    for (const o of this.participants.values()) o.send(out);
    return message;
  }

  // ── State ───────────────────────────────────────────────────────────────────────────────────────────────────

  stateMessage(): Extract<ServerMessage, { type: 'state' }> {
    const participants = [...this.participants.values()].filter((p) => !p.monitor).map((p) => ({
      peerId: p.id, name: p.name, venue: p.venue, role: p.role, seat: p.seat, publishing: p.publishing, muted: { ...p.muted }, hand: p.hand,
    }));
    const main = this.program.current;
    return {
      type: 'state', participants, mainVenue: this.#upstream ? this.#upstream.venue : main?.venue ?? null, mainPeerId: main?.peerId ?? null,
      pendingVenue: this.program.pending?.venue ?? null,
      seats: { total: this.info.seats, taken: this.seatsTaken },
      rundown: { steps: [...this.rundown], current: this.#step },
      selfSeat: this.selfSeat, recording: this.recording,
      ...(this.#upstream ? { upstream: this.#upstream.link } : {}),
      ...this.upstreamControl?.mirrorState([...this.participants.values()].filter((p) => !p.monitor)),
    };
  }

  /** Send a pending state broadcast now (before answering a request that changed it). */
  flushState(): void {
    if (!this.#stateTimer) return;
    clearTimeout(this.#stateTimer);
    this.#stateTimer = undefined;
    this.#broadcastNow();
  }

  #broadcastNow(): void {
    if (this.#closed) return;
    const msg = this.stateMessage();
    for (const p of this.participants.values()) p.send(msg);
    this.#observer.safeEmit('sessionChanged', this.info.id);
  }

  /**
   * Tell everyone the new state. Changes within STATE_COALESCE_MS go out as one message: a burst of N joins would
   * otherwise send N messages of up to N participants to each of N people.
   */
  broadcastState(): void {
    if (this.#closed || this.#stateTimer) return;
    this.#stateTimer = setTimeout(() => {
      this.#stateTimer = undefined;
      this.#broadcastNow();
    }, STATE_COALESCE_MS);
  }

  /** End the session: every participant is told and disconnected. Idempotent. */
  close(reason = 'ended'): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#stateTimer) clearTimeout(this.#stateTimer);
    this.#status.close();
    this.program.close();
    void this.docs.close();
    for (const p of this.participants.values()) {
      p.send({ type: 'ended', reason });
      p.close();
    }
    this.participants.clear();
  }
}

/** A participant as a program source: its venue and a snapshot of its current publications. */
function sourceOf(p: Participant): ProgramSource {
  return { peerId: p.id, venue: p.venue, publications: new Map(p.publications) };
}
