// What the join client tells the UI: its phase, the join request, notices, the session, the activity
// (rundown, main-venue push, self-service seats, recording) and its events. Types only, plus the set of
// join errors that end the attempt.
import type { ChatMessage, ClientMessage, RundownStep, ServerMessage } from '../signaling/protocol.js';
import type { MessageKey, Params } from './i18n.js';

export type Phase = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'ended';

export interface JoinRequest {
  code: string;
  name: string;
  venue: string;
  hostKey?: string;
}

/** Something to tell the person: a page message, or a relay error (shown in the page's language when known). */
export type Notice = { key: MessageKey; params?: Params } | { code: string; message: string };

export interface SessionInfo {
  id: string;
  title: string;
  kind: string;
  seats: number;
  venues: string[];
}

/** The research activity as the last `state` described it. */
export interface Activity {
  /** The venue the main venue is switching to (a push in progress), if any. */
  pendingVenue: string | null;
  rundown: { steps: RundownStep[]; current: number | null };
  /** Viewers may take a free seat themselves; otherwise they raise a hand and the host grants. */
  selfSeat: boolean;
  recording: boolean;
  /** On a school relay: its link to the upstream relay is down and being re-established (media resumes by itself). */
  upstreamReconnecting: boolean;
}

export const NO_ACTIVITY: Activity = { pendingVenue: null, rundown: { steps: [], current: null }, selfSeat: true, recording: false, upstreamReconnecting: false };

/** Host requests, sent as they are (the relay answers `ack` with the request type, or `error`). */
export type HostRequest = Extract<
  ClientMessage,
  { type: 'pushVenue' | 'nextStep' | 'grantSeat' | 'revokeSeat' | 'muteParticipant' | 'removeParticipant' | 'record' }
>;

export interface ClientEvents {
  change: [];
  /** Tracks arrived or moved between slots. */
  layout: [];
  notice: [Notice];
  /** The first join did not succeed: back to the form with this reason. */
  joinFailed: [Notice];
  /** The discussion so far (after each join): replaces what is shown. */
  chatHistory: [ChatMessage[]];
  /** One new discussion message. */
  chat: [ChatMessage];
  /** The relay's answer to our oldest unanswered `chat`: carried out, or refused. */
  chatAnswer: [ok: boolean];
  /** Every relay message, after the client has handled it (page modules such as documents pick theirs). */
  message: [ServerMessage];
}

/** Join errors after which retrying cannot help. */
export const FINAL_JOIN_ERRORS = new Set(['CODE_UNKNOWN', 'SESSION_ENDED', 'HOST_KEY_WRONG']);

/**
 * What a relay error means for joining: `fail` (back to the form: the first join, or a wrong host key), `end`
 * (a re-join the session refuses for good), `retry` (a re-join refused for now), or null (not about joining).
 */
export function joinErrorOutcome(code: string, ref: string | undefined, joinedHere: boolean, everJoined: boolean): 'fail' | 'end' | 'retry' | null {
  if (joinedHere || !(ref === 'join' || ref === undefined || FINAL_JOIN_ERRORS.has(code))) return null;
  if (!everJoined || code === 'HOST_KEY_WRONG') return 'fail';
  return FINAL_JOIN_ERRORS.has(code) ? 'end' : 'retry';
}
