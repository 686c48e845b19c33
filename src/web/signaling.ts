// The WebSocket to the relay's `/ws`: typed messages out, validated messages in, a keep-alive ping, and one
// `close` event for every way the connection can be lost (closed by the relay, network gone, silent socket).
// Closing it on purpose with close() emits nothing.
import type { ClientMessage, ServerMessage } from '../signaling/protocol.js';
import { Emitter } from './emitter.js';
import { parseServerMessage } from './server-messages.js';

export const PING_INTERVAL_MS = 10_000;
/**
 * A ping left without any frame in reply for this long means the network is gone even if the socket looks
 * open. Measured from the ping, so timers throttled in a background tab cannot fake a silence.
 */
export const PONG_LIMIT_MS = 25_000;

export interface SignalingEvents {
  open: [];
  message: [ServerMessage];
  close: [code: number];
}

/** `wss://host/ws` for an https page, `ws://host/ws` otherwise. */
export function signalingUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export class Signaling extends Emitter<SignalingEvents> {
  readonly #ws: WebSocket;
  /** When the unanswered ping was sent; null when the relay has spoken since. */
  #pingSentAt: number | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(url: string) {
    super();
    this.#ws = new WebSocket(url);
    this.#ws.addEventListener('open', () => {
      this.#timer = setInterval(() => this.#keepAlive(), PING_INTERVAL_MS);
      this.emit('open');
    });
    this.#ws.addEventListener('message', (e: MessageEvent) => {
      this.#pingSentAt = null;
      if (typeof e.data !== 'string') return;
      const r = parseServerMessage(e.data);
      if (r.ok) this.emit('message', r.message);
      else console.warn(`jiaoyan: ignored a relay message (${r.reason})`);
    });
    this.#ws.addEventListener('close', (e: CloseEvent) => this.#lost(e.code));
  }

  get isOpen(): boolean {
    return !this.#closed && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Send one message; false when the socket is not open (the caller's state is resent after a reconnect). */
  send(message: ClientMessage): boolean {
    if (!this.isOpen) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  /** Close on purpose: no `close` event follows. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.removeAllListeners();
    if (this.#ws.readyState === WebSocket.CONNECTING || this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
  }

  #keepAlive(): void {
    const now = Date.now();
    if (this.#pingSentAt !== null && now - this.#pingSentAt > PONG_LIMIT_MS) {
      this.#ws.close(4000); // browsers allow 1000 or 3000–4999 from scripts
      this.#lost(4000);
      return;
    }
    if (this.#pingSentAt === null && this.send({ type: 'ping', t: now })) this.#pingSentAt = now;
  }

  #lost(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.emit('close', code);
    this.removeAllListeners();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
