// The shapes around a live session: what describes it, what its owner provides, who joins, and — on a school
// relay — how its people's requests reach the upstream relay (cascade).
import type { ChatMessage, ClientMessage, Role, ServerMessage } from '../signaling/protocol.js';
import type { ChatSink } from './chat-room.js';
import type { DocStorage, DocTiming } from './doc-room.js';
import type { LiveSession } from './live-session.js';
import type { Participant } from './participant.js';
import type { LoadProbe } from './session-status.js';

export interface SessionDescriptor {
  readonly id: string;
  readonly code: string;
  readonly title: string;
  readonly kind: string;
  readonly seats: number;
  /** Rundown steps as given ("教育中心:开场"); plain venue names are steps too. */
  readonly venues: readonly string[];
  /** Whether viewers may take a free seat themselves (else: raise a hand, the host grants). Default true. */
  readonly selfSeat?: boolean;
  /** The current rundown step, as last saved. */
  readonly step?: number | null;
  /** When the session was created (ISO 8601): chat times count from here. */
  readonly createdAt?: string;
}

/** What the relay's owner provides to every session: persistence and load figures. */
export interface SessionHooks {
  readonly chat?: ChatSink;
  /** Persist the rundown's current step. */
  saveStep?(sessionId: string, step: number): void;
  readonly load?: LoadProbe;
  /** Start or stop recording the session (the relay's owner writes the files); resolves once done. */
  record?(session: LiveSession, on: boolean, by: string): Promise<void>;
  /** Where the sessions' shared documents are kept (src/store/doc-store.ts); without it they live in memory. */
  readonly docs?: DocStorage;
  /** When documents cut revisions by themselves (tests shorten it; default DEFAULT_DOC_TIMING). */
  readonly docTiming?: DocTiming;
}

type StateMessage = Extract<ServerMessage, { type: 'state' }>;

/** Requests a school relay carries upstream for its local participants (cascade). */
export type ForwardedRequest = Extract<ClientMessage, {
  type: 'chat' | 'raiseHand' | 'takeSeat' | 'leaveSeat' | 'mute' | 'pushVenue' | 'nextStep' | 'grantSeat' | 'revokeSeat' | 'muteParticipant' | 'removeParticipant' | 'record';
}>;

/** A mirrored session's upstream side, as the session sees it (the school relay's link implements it). */
export interface UpstreamControl {
  /** Carry a local participant's request upstream as that person; resolves when the upstream accepted it. */
  forward(p: Participant, request: ForwardedRequest): Promise<void>;
  /** The upstream's view for the local state (its participants, with local people under their local ids). */
  mirrorState(local: readonly Participant[]): Partial<StateMessage> | undefined;
  /** The discussion so far, as the upstream keeps it. */
  chatHistory(): ChatMessage[];
  /** A local participant left. */
  left(p: Participant): void;
  /**
   * Someone joining here with a host key: their proxy joins upstream with it (the upstream checks the key and
   * refuses a wrong one). Resolves with a handle for `bindHost` once the participant exists here.
   */
  admitHost(name: string, venue: string, hostKey: string): Promise<unknown>;
  bindHost(p: Participant, admission: unknown): void;
}

export interface JoinRequest {
  readonly name: string;
  readonly venue: string;
  readonly role: Role;
  readonly monitor?: boolean;
  /** Acts for someone at a school relay: listed, but sent no media (see the protocol's `join.proxy`). */
  readonly proxy?: boolean;
  readonly send: (message: ServerMessage) => void;
  readonly disconnect: (reason: string) => void;
}
