// Cascading (`relay start --upstream URL`): a school relay takes the county relay's sessions by their invite
// codes. A code the school does not know is resolved upstream by joining it there — as one ordinary WebRTC viewer
// per session, whatever the number of local people — and the local session mirrors it: its main venue is that
// one upstream copy of the program, fanned out on the LAN; local keyframe requests and NACKs are answered here
// (the Publication's history and its once-a-second keyframe requester), so the WAN carries one stream.
// If the link drops, local people stay connected and see `upstream: "reconnecting"`; the link comes back with
// backoff and the local viewers' streams continue (the program feed renumbers across the new source).
import { hostname } from 'node:os';
import { ParticipantClient, type ReceivedTrack } from '../client/participant-client.js';
import { JiaoyanError, RefusedError, RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { ForwardedRequest, LiveSession, SessionDescriptor, UpstreamControl } from '../relay/live-session.js';
import type { Participant } from '../relay/participant.js';
import type { MediaKind } from '../relay/packet-source.js';
import { Publication } from '../relay/publication.js';
import type { Relay } from '../relay/relay.js';
import { normaliseCode, type ChatMessage, type ServerMessage } from '../signaling/protocol.js';
import { UpstreamDocs } from './upstream-docs.js';
import { UpstreamProxies } from './upstream-proxies.js';

const log = logger('server:upstream');

export interface UpstreamOptions {
  /** The upstream relay's base URL (https://county:8443). */
  readonly url: string;
  /** PEM of the upstream relay's CA (else the system's). */
  readonly ca?: string;
  /** This relay's token at the upstream relay (`--upstream-token`: a school token or the upstream's admin token). */
  readonly token?: string;
  /** How this relay appears upstream: name and venue (default: the host name). */
  readonly name?: string;
  /** Reconnect delays: first and longest (ms). */
  readonly backoffMs?: readonly [number, number];
  /** Heartbeat on the upstream signaling: ping interval and silence before the link counts as down (ms). */
  readonly heartbeatMs?: readonly [number, number];
}

/** The peer id of the upstream program inside a mirrored session (never a local participant's). */
const UPSTREAM_PEER = 'upstream';

type StateMessage = Extract<ServerMessage, { type: 'state' }>;

/** The upstream subscribing connection each program publication came on (ReceivedTrack.connection). */
const connectionOf = new WeakMap<Publication, number>();

/** One mirrored session: the link to its upstream copy, kept up while the relay runs. */
class UpstreamLink implements UpstreamControl {
  readonly info: SessionDescriptor;
  readonly #opts: UpstreamOptions;
  readonly #relay: Relay;
  #client: ParticipantClient;
  #publications = new Map<MediaKind, Publication>();
  #venue: string | null = null;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #connected = false;
  readonly #proxies: UpstreamProxies;
  /** The session's shared documents, mirrored on the same connection. */
  readonly #docs = new UpstreamDocs(() => this.session.docs.broadcastList());
  readonly #unfollow: () => void;
  /** Times the link came back after a drop. */
  reconnects = 0;

  constructor(info: SessionDescriptor, client: ParticipantClient, opts: UpstreamOptions, relay: Relay) {
    this.info = info;
    this.#opts = opts;
    this.#relay = relay;
    this.#client = client;
    this.#proxies = new UpstreamProxies({ url: opts.url, code: info.code, ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.token ? { token: opts.token } : {}) }, () => this.session);
    const follow = (sessionId: string) => {
      if (sessionId === info.id) this.#proxies.sync();
    };
    relay.observer.on('sessionChanged', follow);
    this.#unfollow = () => relay.observer.off('sessionChanged', follow);
    this.#attach(client);
  }

  // ── UpstreamControl: what local people do goes upstream through their proxies ──────────────────────────────

  async forward(p: Participant, request: ForwardedRequest): Promise<void> {
    if (!this.#connected) throw new RuntimeError('UPSTREAM_UNREACHABLE', { url: this.#opts.url, detail: 'reconnecting' });
    const proxy = await this.#proxies.for(p);
    switch (request.type) {
      case 'chat':
      case 'pushVenue':
      case 'nextStep':
      case 'record':
        return proxy.request(request);
      case 'grantSeat':
      case 'revokeSeat':
      case 'muteParticipant':
      case 'removeParticipant':
        // Someone here acting through a proxy is known upstream by the proxy's id; anyone else by their own.
        return proxy.request({ ...request, peerId: this.#proxies.upstreamIds().get(request.peerId) ?? request.peerId });
      case 'takeSeat':
        return proxy.takeSeat(); // the seat itself arrives as a `seat` event
      default:
        proxy.send(request);
    }
  }

  async admitHost(name: string, venue: string, hostKey: string): Promise<unknown> {
    if (!this.#connected) throw new RuntimeError('UPSTREAM_UNREACHABLE', { url: this.#opts.url, detail: 'reconnecting' });
    return this.#proxies.admitHost(name, venue, hostKey);
  }

  bindHost(p: Participant, admission: unknown): void {
    this.#proxies.adopt(p, admission as ParticipantClient);
  }

  mirrorState(local: readonly Participant[]): Partial<StateMessage> | undefined {
    const st = this.#client.lastState;
    if (!st) return undefined;
    const ids = this.#proxies.localIds();
    const me = this.#client.joined.peerId;
    const proxied = new Set(ids.values());
    const participants = [
      ...st.participants.filter((q) => q.peerId !== me).map((q) => (ids.has(q.peerId) ? { ...q, peerId: ids.get(q.peerId)! } : q)),
      ...local.filter((p) => !proxied.has(p.id)).map((p) => ({
        peerId: p.id, name: p.name, venue: p.venue, role: p.role, seat: p.seat, publishing: p.publishing, muted: { ...p.muted }, hand: p.hand,
      })),
    ];
    const mainPeerId = st.mainPeerId === null ? null : ids.get(st.mainPeerId) ?? st.mainPeerId;
    return { participants, mainPeerId, pendingVenue: st.pendingVenue, seats: st.seats, rundown: st.rundown, selfSeat: st.selfSeat, recording: st.recording };
  }

  chatHistory(): ChatMessage[] {
    return [...this.#client.chat];
  }

  left(p: Participant): void {
    this.#proxies.release(p.id);
  }

  get session(): LiveSession {
    return this.#relay.session(this.info);
  }

  #attach(client: ParticipantClient): void {
    this.#client = client;
    this.#venue = client.lastState?.mainVenue ?? null;
    this.#publications = new Map();
    this.#connected = true;
    this.session.upstreamControl = this;
    this.session.docs.mirror(this.#docs);
    this.#docs.attach(client);
    this.session.setUpstream(undefined, 'connected', this.#venue);
    const [every, silence] = this.#opts.heartbeatMs ?? [2000, 6000];
    client.heartbeat(every, silence);
    client.on('track', (t) => this.#onTrack(client, t));
    for (const t of client.tracks) this.#onTrack(client, t);
    client.on('state', (st) => {
      if (client !== this.#client) return;
      if (st.mainVenue === this.#venue) return this.session.broadcastState(); // hands, seats, people upstream
      this.#venue = st.mainVenue;
      this.#publish(); // the label changes; the stream (the upstream's program) is the same one
    });
    client.on('chat', (message) => {
      if (client === this.#client) this.session.deliverChat(message);
    });
    // The upstream gave up restarting our subscribing connection: a fresh join (the reconnect path) is the cure.
    client.on('error', (e) => {
      if (client === this.#client && e.code === 'SUBSCRIBE_RESTART_LIMIT') client.close();
    });
    client.on('ended', (reason) => {
      if (client !== this.#client) return;
      log('upstream ended session %s (%s)', this.info.code, reason);
      // The upstream relay restarting is a drop, not the end.
      if (reason === 'relay-stopping') return;
      this.close();
      this.#relay.endSession(this.info.id, reason);
    });
    client.on('closed', () => {
      if (client !== this.#client || this.#closed) return;
      this.#dropped();
    });
  }

  #onTrack(client: ParticipantClient, t: ReceivedTrack): void {
    if (client !== this.#client || t.slot !== 'main' || !t.receiver) return;
    // Subscriber restarts: after `subscribeOffer.restart` upstream, the client's new connection brings new tracks for
    // the same m-lines: they replace the old connection's (the program feed renumbers across them, as after a drop).
    const old = this.#publications.get(t.kind);
    if (old && (connectionOf.get(old) ?? 0) >= t.connection) return;
    old?.close();
    const pub = new Publication(`${UPSTREAM_PEER}:${t.kind}`, UPSTREAM_PEER, t.track, t.receiver, this.#relay.observer);
    connectionOf.set(pub, t.connection);
    this.#publications.set(t.kind, pub);
    this.#publish();
  }

  #publish(): void {
    const source = this.#publications.size > 0 ? { peerId: UPSTREAM_PEER, venue: this.#venue ?? '', publications: new Map(this.#publications) } : undefined;
    this.session.setUpstream(source, 'connected', this.#venue);
  }

  #dropped(): void {
    this.#connected = false;
    for (const p of this.#publications.values()) p.close();
    this.#publications.clear();
    this.session.setUpstream(undefined, 'reconnecting', this.#venue);
    log('link to %s for %s dropped: reconnecting', this.#opts.url, this.info.code);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    const [first, longest] = this.#opts.backoffMs ?? [500, 10_000];
    const delay = Math.min(longest, first * 2 ** this.#attempt++) * (0.8 + Math.random() * 0.4);
    this.#timer = setTimeout(() => void this.#reconnect(), delay);
    this.#timer.unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      const client = await joinUpstream(this.#opts, this.info.code);
      if (this.#closed) return client.close();
      if (client.joined.session.id !== this.info.id) {
        // The code now names another session upstream: this one is over.
        client.close();
        this.close();
        this.#relay.endSession(this.info.id, 'ended');
        return;
      }
      this.#attempt = 0;
      this.reconnects++;
      log('link to %s for %s is back', this.#opts.url, this.info.code);
      this.#attach(client);
    } catch (err) {
      if (err instanceof RefusedError && (err.code === 'CODE_UNKNOWN' || err.code === 'SESSION_ENDED')) {
        this.close();
        this.#relay.endSession(this.info.id, 'ended');
        return;
      }
      log('reconnecting %s: %s', this.info.code, (err as Error).message);
      this.#schedule();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#unfollow();
    this.#proxies.close();
    this.#docs.close();
    for (const p of this.#publications.values()) p.close();
    this.#publications.clear();
    this.#client.close();
  }
}

function joinUpstream(opts: UpstreamOptions, code: string): Promise<ParticipantClient> {
  const name = opts.name ?? hostname();
  return ParticipantClient.connect({
    relay: opts.url, code, name, venue: name, receiveVideo: 'both', connectTimeoutMs: 5000,
    ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.token ? { relayToken: opts.token } : {}),
  });
}

/** The school relay's side of the cascade: mirrored sessions by code. */
export class Upstream {
  readonly #opts: UpstreamOptions;
  readonly #relay: Relay;
  readonly #links = new Map<string, UpstreamLink>();
  /** Codes being resolved now: concurrent joins with the same code share one upstream join. */
  readonly #resolving = new Map<string, Promise<SessionDescriptor>>();
  #closed = false;

  constructor(opts: UpstreamOptions, relay: Relay) {
    this.#opts = opts;
    this.#relay = relay;
  }

  get url(): string {
    return this.#opts.url;
  }

  /** Mirrored sessions with their link's reconnect count (for status). */
  links(): { code: string; sessionId: string; reconnects: number }[] {
    return [...this.#links.values()].map((l) => ({ code: l.info.code, sessionId: l.info.id, reconnects: l.reconnects }));
  }

  /**
   * The session behind a code the local store does not know, joined upstream (once per code). Rejects with the
   * upstream's refusal (CODE_UNKNOWN, SESSION_ENDED, RATE_LIMITED) or RuntimeError when it is unreachable.
   */
  resolve(rawCode: string): Promise<SessionDescriptor> {
    const code = normaliseCode(rawCode);
    const link = this.#links.get(code);
    if (link && !this.#relay.sessions.get(link.info.id)?.closed) return Promise.resolve(link.info);
    if (link) {
      link.close();
      this.#links.delete(code);
    }
    let pending = this.#resolving.get(code);
    if (!pending) {
      pending = this.#open(code).finally(() => this.#resolving.delete(code));
      this.#resolving.set(code, pending);
    }
    return pending;
  }

  async #open(code: string): Promise<SessionDescriptor> {
    if (this.#closed) throw new RefusedError('CODE_UNKNOWN', { code });
    let client: ParticipantClient;
    try {
      client = await joinUpstream(this.#opts, code);
    } catch (err) {
      if (err instanceof JiaoyanError) throw err;
      throw new RuntimeError('UPSTREAM_UNREACHABLE', { url: this.#opts.url, detail: (err as Error).message });
    }
    if (this.#closed) {
      client.close();
      throw new RefusedError('CODE_UNKNOWN', { code });
    }
    const s = client.joined.session;
    const info: SessionDescriptor = { id: s.id, code, title: s.title, kind: s.kind, seats: s.seats, venues: s.venues, selfSeat: false };
    this.#links.set(code, new UpstreamLink(info, client, this.#opts, this.#relay));
    log('mirroring %s (%s) from %s', code, s.title, this.#opts.url);
    return info;
  }

  close(): void {
    this.#closed = true;
    for (const l of this.#links.values()) l.close();
    this.#links.clear();
  }
}
