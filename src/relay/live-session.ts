// A live session: its participants, seats and the main venue; decides who receives what.
import { randomUUID } from 'node:crypto';
import type { PeerConfig } from 'werift';
import { InvalidStateError, RefusedError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { Role, ServerMessage } from '../signaling/protocol.js';
import type { RelayObserver } from './observer.js';
import { Participant, type Layout } from './participant.js';
import type { MediaKind, Publication } from './publication.js';

const log = logger('relay:session');

export interface SessionDescriptor {
  readonly id: string;
  readonly code: string;
  readonly title: string;
  readonly kind: string;
  readonly seats: number;
  readonly venues: readonly string[];
}

export interface JoinRequest {
  readonly name: string;
  readonly venue: string;
  readonly role: Role;
  readonly send: (message: ServerMessage) => void;
}

export class LiveSession {
  readonly info: SessionDescriptor;
  readonly participants = new Map<string, Participant>();
  readonly #peerConfig: Partial<PeerConfig>;
  readonly #observer: RelayObserver;
  #mainPeerId: string | null = null;
  #closed = false;
  #layoutQueued = false;

  constructor(info: SessionDescriptor, peerConfig: Partial<PeerConfig>, observer: RelayObserver) {
    this.info = info;
    this.#peerConfig = peerConfig;
    this.#observer = observer;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get mainPeerId(): string | null {
    return this.#mainPeerId;
  }

  get seatsTaken(): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.seat) n++;
    return n;
  }

  join(req: JoinRequest): Participant {
    if (this.#closed) throw new InvalidStateError('LiveSession');
    const p = new Participant({
      id: randomUUID(), sessionId: this.info.id, name: req.name, venue: req.venue, role: req.role,
      peerConfig: this.#peerConfig, observer: this.#observer, send: req.send,
      onPublicationsChanged: () => this.#publicationsChanged(),
    });
    this.participants.set(p.id, p);
    this.#observer.safeEmit('peerJoined', this.info.id, p.id);
    log('%s joined %s as %s (%s, %s)', p.id, this.info.code, p.role, p.name, p.venue);
    this.#scheduleLayout();
    this.broadcastState();
    return p;
  }

  takeSeat(p: Participant): void {
    if (p.role === 'host' || p.seat) return;
    if (this.seatsTaken >= this.info.seats) throw new RefusedError('SEAT_FULL', { seats: this.info.seats });
    p.seat = true;
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

  setMuted(p: Participant, kind: MediaKind, muted: boolean): void {
    p.muted[kind] = muted;
    this.broadcastState();
  }

  leave(p: Participant): void {
    if (!this.participants.delete(p.id)) return;
    p.close();
    this.#observer.safeEmit('peerLeft', this.info.id, p.id);
    log('%s left %s', p.id, this.info.code);
    this.#publicationsChanged();
  }

  #publicationsChanged(): void {
    if (this.#closed) return;
    this.#chooseMain();
    this.#scheduleLayout();
    this.broadcastState();
  }

  /** The main venue: the host while publishing, else the current main if still publishing, else the first seat. */
  #chooseMain(): void {
    const all = [...this.participants.values()];
    const host = all.find((p) => p.role === 'host' && p.publishing);
    const current = this.#mainPeerId ? this.participants.get(this.#mainPeerId) : undefined;
    const next = host ?? (current?.publishing ? current : undefined) ?? all.filter((p) => p.seat && p.publishing).sort((a, b) => a.joinedAt - b.joinedAt)[0];
    this.#mainPeerId = next?.id ?? null;
  }

  layoutFor(p: Participant): Layout {
    // The main venue's own publisher is not sent its stream back (it would only waste its downlink).
    const main = this.#mainPeerId && this.#mainPeerId !== p.id ? this.participants.get(this.#mainPeerId)?.publications : undefined;
    const seats = p.canPublish
      ? [...this.participants.values()]
          .filter((o) => o.id !== p.id && o.id !== this.#mainPeerId && (o.seat || o.role === 'host') && o.publishing)
          .map((o) => ({ peerId: o.id, publications: o.publications }))
      : [];
    return { main: main ?? new Map<MediaKind, Publication>(), seats };
  }

  /** Re-point everyone's slots once per tick, however many changes happened. */
  #scheduleLayout(): void {
    if (this.#layoutQueued) return;
    this.#layoutQueued = true;
    queueMicrotask(() => {
      this.#layoutQueued = false;
      if (this.#closed) return;
      for (const p of this.participants.values()) {
        p.applyLayout(this.layoutFor(p)).catch((err: unknown) => {
          log('layout for %s failed: %O', p.id, err);
          p.send({ type: 'error', code: 'INTERNAL', message: (err as Error).message });
        });
      }
    });
  }

  stateMessage(): ServerMessage {
    const participants = [...this.participants.values()].map((p) => ({
      peerId: p.id, name: p.name, venue: p.venue, role: p.role, seat: p.seat, publishing: p.publishing, muted: { ...p.muted },
    }));
    const main = this.#mainPeerId ? this.participants.get(this.#mainPeerId) : undefined;
    return {
      type: 'state', participants, mainVenue: main?.venue ?? null, mainPeerId: main?.id ?? null,
      seats: { total: this.info.seats, taken: this.seatsTaken },
    };
  }

  broadcastState(): void {
    const msg = this.stateMessage();
    for (const p of this.participants.values()) p.send(msg);
    this.#observer.safeEmit('sessionChanged', this.info.id);
  }

  /** End the session: every participant is told and disconnected. Idempotent. */
  close(reason = 'ended'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.participants.values()) {
      p.send({ type: 'ended', reason });
      p.close();
    }
    this.participants.clear();
  }
}
