// The relay: live sessions by id, created on demand from their stored descriptors; one observer stream.
import type { PeerConfig } from 'werift';
import { InvalidStateError } from '../core/errors.js';
import { LiveSession, type SessionDescriptor, type SessionHooks } from './live-session.js';
import { relayPeerConfig, type RtcNetwork } from './media-config.js';
import { RelayObserver } from './observer.js';

export class Relay {
  readonly observer = new RelayObserver();
  readonly sessions = new Map<string, LiveSession>();
  readonly #peerConfig: Partial<PeerConfig>;
  readonly #hooks: SessionHooks;
  #closed = false;

  constructor(net: RtcNetwork, hooks: SessionHooks = {}) {
    this.#peerConfig = relayPeerConfig(net);
    this.#hooks = hooks;
  }

  /** The live session for a stored descriptor (created on first use). */
  session(info: SessionDescriptor): LiveSession {
    if (this.#closed) throw new InvalidStateError('Relay');
    let s = this.sessions.get(info.id);
    if (!s || s.closed) {
      s = new LiveSession(info, this.#peerConfig, this.observer, this.#hooks);
      this.sessions.set(info.id, s);
      this.observer.safeEmit('sessionOpened', info.id);
    }
    return s;
  }

  endSession(id: string, reason = 'ended'): void {
    const s = this.sessions.get(id);
    if (!s) return;
    s.close(reason);
    this.sessions.delete(id);
  }

  get peerCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.participants.size;
    return n;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.sessions.keys()]) this.endSession(id, 'relay-stopping');
    this.observer.removeAllListeners();
  }
}
