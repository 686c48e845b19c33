// The relay's observer stream: counters and lifecycle events for metrics, UI and persistence.
import { TypedEmitter } from '../core/emitter.js';

export type RelayObserverEvents = {
  rtpIn: [bytes: number];
  rtpOut: [bytes: number];
  /** A NACK from a receiver, and how many packets the relay re-sent from its own history. */
  nack: [lost: number, retransmitted: number];
  pli: [direction: 'up' | 'down'];
  peerJoined: [sessionId: string, peerId: string];
  peerLeft: [sessionId: string, peerId: string];
  sessionChanged: [sessionId: string];
};

export class RelayObserver extends TypedEmitter<RelayObserverEvents> {}
