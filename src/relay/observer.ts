// The relay's observer stream: counters and lifecycle events for metrics, UI and persistence.
import { TypedEmitter } from '../core/emitter.js';

export type RelayObserverEvents = {
  /** A NACK from a receiver, and how many packets the relay re-sent from its own history. */
  nack: [lost: number, retransmitted: number];
  pli: [direction: 'up' | 'down'];
  peerJoined: [sessionId: string, peerId: string];
  peerLeft: [sessionId: string, peerId: string];
  sessionChanged: [sessionId: string];
  /** A recording stopped by itself (`reason`: the error code, e.g. RECORDING_DISK_FULL); the session goes on. */
  recordingInterrupted: [sessionId: string, recordingId: string, reason: string, message: string];
  /** A live session was created (its first participant is joining). */
  sessionOpened: [sessionId: string];
  /** A revision of a shared document was cut (after an edit burst, an import, or at the session's end). */
  docRevision: [sessionId: string, doc: string, rev: number];
};

/**
 * RTP packets and bytes in (from publishers) and out (to viewers). Plain counters, read when needed: an event per
 * packet per viewer cost a few percent of the relay's CPU at 150 viewers.
 */
export class TrafficCounters {
  inPackets = 0;
  inBytes = 0;
  outPackets = 0;
  outBytes = 0;
}

export class RelayObserver extends TypedEmitter<RelayObserverEvents> {
  readonly traffic = new TrafficCounters();
}
