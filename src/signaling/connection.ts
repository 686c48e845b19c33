// One signaling connection per WebSocket: validates every frame at the boundary, turns requests into calls on
// the relay's session, and answers errors to that peer only — nothing a peer sends can disturb another.
import { describeError, JiaoyanError, RefusedError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { ForwardedRequest, LiveSession, SessionDescriptor } from '../relay/live-session.js';
import type { Participant } from '../relay/participant.js';
import type { Relay } from '../relay/relay.js';
import { WS_CLOSE, wsCloseCode, wsCloseReason } from './close-codes.js';
import { normaliseCode, parseClientMessage, type ClientMessage, type ServerMessage, type VoiceNotice } from './protocol.js';

/** What a mirrored session carries upstream (see LiveSession.upstreamControl). */
const FORWARDED = new Set<ClientMessage['type']>([
  'chat', 'raiseHand', 'takeSeat', 'leaveSeat', 'mute',
  'pushVenue', 'nextStep', 'grantSeat', 'revokeSeat', 'muteParticipant', 'removeParticipant', 'record',
]);
const HOST_REQUESTS = new Set<ClientMessage['type']>(['pushVenue', 'nextStep', 'grantSeat', 'revokeSeat', 'muteParticipant', 'removeParticipant', 'record']);

const log = logger('signaling');

const MAX_BAD_FRAMES = 20;

/**
 * A broadcast (`state` to every participant) is one object sent to many sockets: turn it into JSON once.
 * Keyed weakly by the message object, so nothing is kept after the broadcast.
 */
const serialised = new WeakMap<ServerMessage, string>();
function serialise(message: ServerMessage): string {
  let text = serialised.get(message);
  if (text === undefined) {
    text = JSON.stringify(message);
    serialised.set(message, text);
  }
  return text;
}

export interface SocketLike {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** How the server admits people: code look-up (rate-limited per address) and host-key check. */
export interface JoinGate {
  /**
   * The session for a code, or throws RefusedError (CODE_UNKNOWN, SESSION_ENDED, RATE_LIMITED). A school relay
   * may resolve a code upstream, hence the promise.
   */
  lookup(code: string, ip: string, trusted?: boolean): SessionDescriptor | Promise<SessionDescriptor>;
  /** Whether a school relay's `relayToken` is good here (failures count against the address). */
  relayTrusted(token: string, ip: string): Promise<boolean>;
  isHostKey(sessionId: string, key: string): boolean;
}

export interface FrameLimiter {
  /** False when this connection sends frames too fast. */
  allow(): boolean;
}

export interface SignalingDeps {
  readonly relay: Relay;
  readonly gate: JoinGate;
  readonly ip: string;
  readonly frames: FrameLimiter;
  /** The session's voice notices, sent as `notices` after `joined` (the relay's owner keeps them). */
  readonly notices?: { list(sessionId: string): Promise<VoiceNotice[]> };
}

export class SignalingConnection {
  readonly #socket: SocketLike;
  readonly #deps: SignalingDeps;
  #session: LiveSession | undefined;
  #participant: Participant | undefined;
  #badFrames = 0;
  #closed = false;
  /** Requests run one after another per connection, in arrival order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(socket: SocketLike, deps: SignalingDeps) {
    this.#socket = socket;
    this.#deps = deps;
  }

  get participant(): Participant | undefined {
    return this.#participant;
  }

  #send(message: ServerMessage): void {
    if (this.#closed) return;
    try {
      this.#socket.send(serialise(message));
    } catch (err) {
      log('send failed: %O', err);
    }
  }

  #refuse(err: unknown, ref?: string): void {
    const d = describeError(err);
    if (!(err instanceof JiaoyanError)) log('internal error handling %s: %O', ref, err);
    const params = err instanceof JiaoyanError ? err.params : undefined;
    this.#send({ type: 'error', code: d.code, message: d.message, ...(ref ? { ref } : {}), ...(params ? { params } : {}) });
  }

  /** One text frame from the socket. */
  handleText(text: string): void {
    if (this.#closed) return;
    if (!this.#deps.frames.allow()) return this.#terminate(wsCloseCode('FLOODED'), wsCloseReason('FLOODED'));
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.#refuse(new RefusedError(parsed.code, { detail: parsed.detail }));
      if (parsed.code === 'TOO_LARGE') return this.#terminate(wsCloseCode('TOO_LARGE'), wsCloseReason('TOO_LARGE'));
      if (++this.#badFrames > MAX_BAD_FRAMES) this.#terminate(wsCloseCode(parsed.code), wsCloseReason(parsed.code));
      return;
    }
    const message = parsed.message;
    this.#queue = this.#queue.then(() => this.#dispatch(message)).catch((err: unknown) => this.#refuse(err, message.type));
  }

  async #dispatch(m: ClientMessage): Promise<void> {
    if (this.#closed) return;
    if (m.type === 'ping') return this.#send({ type: 'pong', ...(m.t !== undefined ? { t: m.t } : {}) });
    if (m.type === 'join') return this.#join(m);
    const p = this.#participant;
    const s = this.#session;
    if (!p || !s) throw new RefusedError('NOT_JOINED');
    // A session mirrored from an upstream relay (cascade): hands, seats, discussion and one's own mute go there.
    if (s.upstreamControl && FORWARDED.has(m.type)) {
      if (HOST_REQUESTS.has(m.type) && p.role !== 'host') throw new RefusedError('HOST_ONLY');
      await s.upstreamControl.forward(p, m as ForwardedRequest);
      if (m.type === 'mute') s.setMuted(p, m.kind, m.muted);
      if (m.type === 'leaveSeat') s.leaveSeat(p);
      if (m.type === 'chat' || HOST_REQUESTS.has(m.type)) this.#send({ type: 'ack', ref: m.type });
      return;
    }
    switch (m.type) {
      case 'takeSeat':
        s.takeSeat(p);
        s.flushState();
        return this.#send({ type: 'seat', granted: true });
      case 'leaveSeat':
        return s.leaveSeat(p);
      case 'publish': {
        const sdp = await p.publish(m.sdp);
        return this.#send({ type: 'publishAnswer', sdp });
      }
      case 'unpublish':
        return p.unpublish();
      case 'subscribeAnswer':
        return p.acceptAnswer(m.sdp, m.version);
      case 'resubscribe':
        return p.resubscribe(m.version);
      case 'mute':
        return s.setMuted(p, m.kind, m.muted);
      case 'leave':
        return this.#terminate(WS_CLOSE.normal, 'left');
      case 'raiseHand':
        return s.raiseHand(p, m.raised);
      case 'chat':
        s.postChat(p, m.text);
        return this.#send({ type: 'ack', ref: m.type });
      case 'docOpen': case 'docUpdate': case 'docAwareness': case 'docClose': case 'docHistory': case 'docRevision':
        return s.docs.handle(p, m);
      default:
        return this.#hostRequest(m, p, s);
    }
  }

  /** Requests only the host may make; answered with `ack` (or `error`). */
  async #hostRequest(m: Extract<ClientMessage, { type: 'pushVenue' | 'nextStep' | 'grantSeat' | 'revokeSeat' | 'muteParticipant' | 'removeParticipant' | 'record' }>, p: Participant, s: LiveSession): Promise<void> {
    if (p.role !== 'host') throw new RefusedError('HOST_ONLY');
    switch (m.type) {
      case 'pushVenue':
        s.pushVenue(m.venue);
        break;
      case 'nextStep':
        s.nextStep();
        break;
      case 'grantSeat':
        s.grantSeat(s.participant(m.peerId));
        break;
      case 'revokeSeat':
        s.revokeSeat(s.participant(m.peerId));
        break;
      case 'muteParticipant':
        s.muteParticipant(s.participant(m.peerId), m.kind);
        break;
      case 'removeParticipant':
        s.removeParticipant(s.participant(m.peerId));
        break;
      case 'record':
        await s.setRecording(m.on, `${p.name}@${p.venue}`);
        break;
    }
    // The new state first, then the answer: whoever asked sees the change when the ack arrives.
    s.flushState();
    this.#send({ type: 'ack', ref: m.type });
  }

  async #join(m: Extract<ClientMessage, { type: 'join' }>): Promise<void> {
    if (this.#participant) throw new RefusedError('ALREADY_JOINED');
    // A school relay looks up codes for a whole school from one address: with its token that is not limited.
    const trusted = m.relayToken !== undefined && (await this.#deps.gate.relayTrusted(m.relayToken, this.#deps.ip));
    if (m.relayToken !== undefined && !trusted) throw new RefusedError('RELAY_TOKEN_WRONG');
    const info = await this.#deps.gate.lookup(normaliseCode(m.code), this.#deps.ip, trusted);
    if (this.#closed) return;
    // A session mirrored from upstream (cascade) exists already: the upstream relay checks a host key, through
    // the host's proxy. Otherwise the key is checked here, before the live session is opened.
    const control = this.#deps.relay.sessions.get(info.id)?.upstreamControl;
    const hostAdmission = m.hostKey !== undefined && control ? await control.admitHost(m.name, m.venue, m.hostKey) : undefined;
    if (this.#closed) return;
    if (m.hostKey !== undefined && !control && !this.#deps.gate.isHostKey(info.id, m.hostKey)) throw new RefusedError('HOST_KEY_WRONG');
    const session = this.#deps.relay.session(info);
    this.#session = session;
    const role = m.hostKey !== undefined ? 'host' : 'viewer';
    // `joined` must reach the client before the first `state` the session broadcasts.
    const pending: ServerMessage[] = [];
    let ready = false;
    const participant = session.join({
      name: m.name, venue: m.venue, role, monitor: m.monitor ?? false, proxy: m.proxy ?? false,
      send: (msg) => (ready ? this.#send(msg) : pending.push(msg)),
      disconnect: (reason) => this.#terminate(WS_CLOSE.normal, reason),
    });
    this.#participant = participant;
    if (hostAdmission !== undefined) control!.bindHost(participant, hostAdmission);
    this.#send({ type: 'joined', peerId: participant.id, role, session: { id: info.id, title: info.title, kind: info.kind, seats: info.seats, venues: [...info.venues] }, memberToken: participant.memberToken });
    ready = true;
    for (const msg of pending) this.#send(msg);
    this.#deps.notices?.list(info.id).then((notices) => this.#send({ type: 'notices', notices }), (err: unknown) => log('notices of %s: %O', info.id, err));
  }

  #terminate(code: number, reason: string): void {
    this.handleClose();
    try {
      this.#socket.close(code, reason);
    } catch (err) {
      log('close failed: %O', err);
    }
  }

  /** The socket closed (or we closed it): leave the session. Idempotent. */
  handleClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#participant && this.#session) this.#session.leave(this.#participant);
    this.#participant = undefined;
  }
}
