// What the relay must answer to each fuzz frame (docs/protocol.md): an `error` for a malformed frame, close 1008
// after more than 20 of them, close 1009 above 64 KiB, close 1007 for invalid UTF-8, and for a well-formed
// message the documented reply. The frame is classified with the protocol's own parser.
import { DOC_NAME, MAX_CHAT_CHARS, MAX_MESSAGE_BYTES, parseClientMessage, type ClientMessage } from '../../src/signaling/protocol.js';
import type { Frame, FuzzSocket, Inbound } from './fuzz-socket.js';

/** Bad frames a connection may send before the relay closes it (the 21st closes it). */
export const MAX_BAD_FRAMES = 20;

/** What an event is called in expectations: `pong`, `error:BAD_JSON`, `publishAnswer`, `close:1008`, … */
export function keyOf(e: Inbound): string {
  if (e.type === 'close') return `close:${e.code}`;
  return e.message.type === 'error' ? `error:${e.message.code}` : e.message.type;
}

export type Classified =
  | { readonly kind: 'fatal'; readonly close: number }
  | { readonly kind: 'bad'; readonly code: string }
  | { readonly kind: 'ok'; readonly message: ClientMessage };

/** How the relay sees a frame before acting on it. */
export function classify(frame: Frame): Classified {
  if (frame.kind === 'binary') return frame.data.length > MAX_MESSAGE_BYTES ? { kind: 'fatal', close: 1009 } : { kind: 'bad', code: 'BAD_JSON' };
  if (frame.kind === 'rawText') {
    if (frame.data.length > MAX_MESSAGE_BYTES) return { kind: 'fatal', close: 1009 };
    const text = new TextDecoder('utf-8', { fatal: false }).decode(frame.data);
    if (!Buffer.from(text, 'utf8').equals(frame.data)) return { kind: 'fatal', close: 1007 };
    return classify({ kind: 'text', text, what: frame.what });
  }
  if (Buffer.byteLength(frame.text) > MAX_MESSAGE_BYTES) return { kind: 'fatal', close: 1009 };
  const parsed = parseClientMessage(frame.text);
  return parsed.ok ? { kind: 'ok', message: parsed.message } : { kind: 'bad', code: parsed.code };
}

/** Per-connection view the oracle needs. */
export interface ConnectionState {
  bad: number;
  joined: boolean;
  canPublish: boolean;
  host: boolean;
}

/**
 * The event sequences the relay may answer `frame` with (each alternative a full list, in order). For a joined
 * connection these are the replies before a following barrier ping's pong; `state` and `subscribeOffer`, which
 * the relay sends on its own, are not part of them.
 */
export function expectedReplies(frame: Frame, st: ConnectionState, hint?: 'validOffer'): string[][] {
  const c = classify(frame);
  if (c.kind === 'fatal') return [[`close:${c.close}`]];
  if (c.kind === 'bad') {
    st.bad++;
    return [st.bad > MAX_BAD_FRAMES ? [`error:${c.code}`, 'close:1008'] : [`error:${c.code}`]];
  }
  const m = c.message;
  if (m.type === 'ping') return [['pong']];
  if (!st.joined) {
    // Sockets that stay outside carry wrong codes only: refused, or rate-limited once their address failed often.
    // (A join carrying a school relay's token is checked first: a made-up one is refused as such.)
    if (m.type === 'join') return m.relayToken !== undefined ? [['error:RELAY_TOKEN_WRONG'], ['error:RATE_LIMITED']] : [['error:CODE_UNKNOWN'], ['error:RATE_LIMITED']];
    return [['error:NOT_JOINED']];
  }
  switch (m.type) {
    case 'join':
      return [['error:ALREADY_JOINED']];
    case 'takeSeat':
      return st.canPublish ? [['seat']] : [['seat'], ['error:SEAT_FULL']];
    case 'publish':
      if (!st.canPublish) return [['error:VIEWER_CANNOT_PUBLISH']];
      if (hint === 'validOffer') return [['publishAnswer']];
      // Without a single media section it is no offer at all; with some, werift may make sense of it or not.
      return /^m=/m.test(m.sdp) ? [['publishAnswer'], ['error:BAD_SDP']] : [['error:BAD_SDP']];
    case 'subscribeAnswer':
      // A stale version is ignored; the current one is applied or refused as BAD_SDP.
      return [[], ['error:BAD_SDP']];
    case 'resubscribe':
      // A fresh subscribing connection (its offer comes on its own), or refused past the restart budget.
      return [[], ['error:SUBSCRIBE_RESTART_LIMIT']];
    case 'leave':
      return [['close:1000']];
    case 'leaveSeat':
    case 'unpublish':
    case 'mute':
    case 'raiseHand':
      return [[]];
    case 'chat': {
      const text = m.text.replace(/\r\n?/g, '\n').trim();
      if (!text) return [['error:CHAT_EMPTY']];
      if ([...text].length > MAX_CHAT_CHARS) return [['error:CHAT_TOO_LONG']];
      return [['ack'], ['error:CHAT_RATE_LIMITED']];
    }
    case 'pushVenue':
      return st.host ? [['ack'], ['error:VENUE_ABSENT'], ['error:VENUE_NOT_PUBLISHING']] : [['error:HOST_ONLY']];
    case 'nextStep':
      return st.host ? [['ack'], ['error:RUNDOWN_EMPTY'], ['error:RUNDOWN_END'], ['error:VENUE_ABSENT'], ['error:VENUE_NOT_PUBLISHING']] : [['error:HOST_ONLY']];
    case 'grantSeat':
    case 'revokeSeat':
    case 'muteParticipant':
    case 'removeParticipant':
      // Fuzzed peer ids name nobody.
      return st.host ? [['error:PEER_UNKNOWN']] : [['error:HOST_ONLY']];
    case 'record':
      return st.host ? [['ack'], ['error:RECORDING_UNAVAILABLE']] : [['error:HOST_ONLY']];
    // Documents are shared by every socket of the session (how many exist, who opened what): the alternatives
    // cover them; `docUpdate`/`docAwareness` from others and `docList` arrive on their own.
    case 'docOpen':
      if (!DOC_NAME.test(m.doc)) return [['error:DOC_NAME_BAD']];
      return [['docSync'], ['docSync', 'docSync'], ['error:DOC_LIMIT'], ['error:DOC_UPDATE_BAD']];
    case 'docUpdate':
      return [[], ['error:DOC_NOT_OPEN'], ['error:DOC_UPDATE_BAD'], ['error:DOC_TOO_LARGE']];
    case 'docAwareness':
      return [[], ['error:DOC_NOT_OPEN'], ['error:DOC_AWARENESS_BAD']];
    case 'docClose':
      return [[]];
    case 'docHistory':
      return [['docRevisions']];
    case 'docRevision':
      return [['docText'], ['docText', 'docText'], ['error:DOC_REV_UNKNOWN']];
  }
}

/** An `error` names the request it refuses (`ref`); a frame that never became a request gets none. */
export function checkRef(e: Inbound, frame: Frame, context: string): void {
  if (e.type !== 'message' || e.message.type !== 'error') return;
  const c = classify(frame);
  const want = c.kind === 'ok' ? c.message.type : undefined;
  if (e.message.ref !== want) throw new Error(`${context}: error ${e.message.code} has ref ${String(e.message.ref)}, expected ${String(want)}`);
}

/** Counts across every fuzz socket, for the report and the final assertions. */
export class Tally {
  /** Generated (random, mutated, garbage) frames whose answer was checked. */
  generated = 0;
  /** Every frame sent, including barrier pings, joins and floods. */
  frames = 0;
  sockets = 0;
  readonly outcomes = new Map<string, number>();
  readonly violations: string[] = [];

  count(key: string, n = 1): void {
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + n);
  }

  /** Fold a finished socket in: its frames and any off-protocol messages it received. */
  absorb(socket: FuzzSocket, label: string): void {
    this.sockets++;
    this.frames += socket.sent;
    for (const v of socket.violations) this.violations.push(`${label}: ${v}`);
  }

  summary(): string {
    const rows = [...this.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`);
    return `${this.generated} generated frames checked, ${this.frames} frames in all, on ${this.sockets} sockets; ${rows.join(' ')}`;
  }
}

/** Compare what arrived with the allowed alternatives; throws with enough context to reproduce. */
export function check(got: string[], allowed: string[][], context: string): void {
  if (allowed.some((alt) => alt.length === got.length && alt.every((k, i) => k === got[i]))) return;
  throw new Error(`${context}: relay answered [${got.join(', ')}], expected one of ${allowed.map((a) => `[${a.join(', ')}]`).join(' or ')}`);
}
