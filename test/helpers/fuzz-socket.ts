// A raw signaling WebSocket for fuzz tests: sends whatever frame it is given, and hands back what the relay
// says — each message checked against the relay → client schema — or how the relay closed the socket.
import WebSocket from 'ws';
import { serverMessage, type ServerMessage } from '../../src/signaling/protocol.js';

/** One frame as sent: a text frame, a binary frame, or raw bytes in a text frame (possibly invalid UTF-8). */
export type Frame =
  | { readonly kind: 'text'; readonly text: string; readonly what: string }
  | { readonly kind: 'binary'; readonly data: Buffer; readonly what: string }
  | { readonly kind: 'rawText'; readonly data: Buffer; readonly what: string };

export type Inbound =
  | { readonly type: 'message'; readonly message: ServerMessage }
  | { readonly type: 'close'; readonly code: number; readonly reason: string };

export interface OpenOptions {
  readonly url: string;
  readonly ca: string;
  /** Local address to connect from (any 127.x.y.z on Linux): the relay limits failures per address. */
  readonly from: string;
}

/** Messages the relay sends on its own (not as the answer to a request). */
/** What the relay sends on its own (others' changes and messages), not in answer to this socket's frame. */
export const unsolicited = (m: ServerMessage): boolean =>
  m.type === 'state' || m.type === 'subscribeOffer' || m.type === 'chat' || m.type === 'chatHistory' || m.type === 'status' ||
  m.type === 'notices' || m.type === 'notice' || m.type === 'docList' || m.type === 'docUpdate' || m.type === 'docAwareness';

/** One raw socket; `next`/`expect`/`closed` are meant to be awaited one at a time (lockstep). */
export class FuzzSocket {
  readonly #ws: WebSocket;
  readonly #inbox: Inbound[] = [];
  #wake: (() => void) | undefined;
  #closedBy: { code: number; reason: string } | undefined;
  readonly #errors: string[] = [];
  /** Frames handed to the socket while it was open. */
  sent = 0;
  /** Messages that did not match the relay → client schema (must stay empty). */
  readonly violations: string[] = [];
  /** Every subscribeOffer version seen (the relay's current one is the last). */
  lastOfferVersion: number | undefined;
  lastOfferSdp: string | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      if (isBinary) return void this.violations.push(`binary frame from the relay (${text.length} bytes)`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        return void this.violations.push(`not JSON from the relay: ${(err as Error).message}`);
      }
      const r = serverMessage.safeParse(json);
      if (!r.success) return void this.violations.push(`off-schema message from the relay: ${text.slice(0, 200)}`);
      if (r.data.type === 'subscribeOffer') {
        this.lastOfferVersion = r.data.version;
        this.lastOfferSdp = r.data.sdp;
      }
      this.#push({ type: 'message', message: r.data });
    });
    ws.on('close', (code, reason) => {
      this.#closedBy = { code, reason: reason.toString('utf8') };
      this.#push({ type: 'close', code, reason: reason.toString('utf8') });
    });
    // Errors on our side (e.g. the relay closing mid-frame) end in 'close' too; keep them from throwing.
    ws.on('error', (err) => this.#errors.push(err.message));
  }

  static open(opts: OpenOptions): Promise<FuzzSocket> {
    const url = `${opts.url.replace(/^http/, 'ws')}/ws`;
    const ws = new WebSocket(url, { ca: opts.ca, localAddress: opts.from, maxPayload: 16 * 1024 * 1024 });
    const socket = new FuzzSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('close', (code) => reject(new Error(`closed (${code}) before open: ${socket.#errors.join('; ')}`)));
    });
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** How the relay closed this socket, once it has. */
  get closedBy(): { code: number; reason: string } | undefined {
    return this.#closedBy;
  }

  /** Hand every later event to `watcher` instead of queueing it for `next` (for long-lived sockets). */
  watch(watcher: (e: Inbound) => void): void {
    this.#watcher = watcher;
    for (const e of this.#inbox.splice(0)) watcher(e);
  }

  #watcher: ((e: Inbound) => void) | undefined;

  #push(event: Inbound): void {
    if (this.#watcher) return this.#watcher(event);
    this.#inbox.push(event);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  send(frame: Frame, opts: { fin?: boolean } = {}): void {
    if (!this.open) return;
    this.sent++;
    const fin = opts.fin ?? true;
    if (frame.kind === 'text') this.#ws.send(frame.text, { fin });
    else this.#ws.send(frame.data, { binary: frame.kind === 'binary', fin });
  }

  /** Send one JSON message. */
  json(message: Record<string, unknown>): void {
    this.send({ kind: 'text', text: JSON.stringify(message), what: String(message.type) });
  }

  /**
   * The next event (message or close), skipping messages for which `skip` is true; rejects with `what` when
   * nothing comes within `timeoutMs` (a bound on a broken relay, not a synchronisation).
   */
  async next(what: string, opts: { skip?: (m: ServerMessage) => boolean; timeoutMs?: number } = {}): Promise<Inbound> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    for (;;) {
      while (this.#inbox.length > 0) {
        const e = this.#inbox.shift()!;
        if (e.type === 'message' && opts.skip?.(e.message)) continue;
        return e;
      }
      if (this.#closedBy && this.#inbox.length === 0) return { type: 'close', ...this.#closedBy };
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply from the relay within ${opts.timeoutMs ?? 20_000} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The next message of `type` (others skipped); rejects if the socket closes first. */
  async expect<T extends ServerMessage['type']>(type: T, what: string): Promise<Extract<ServerMessage, { type: T }>> {
    const e = await this.next(what, { skip: (m) => m.type !== type });
    if (e.type === 'close') throw new Error(`${what}: closed (${e.code} ${e.reason}) while waiting for ${type}`);
    return e.message as Extract<ServerMessage, { type: T }>;
  }

  /** Resolve when the socket has closed (either side); returns the close code. */
  async closed(what: string): Promise<number> {
    for (;;) {
      const e = await this.next(what);
      if (e.type === 'close') return e.code;
    }
  }

  /** Close politely (close frame). */
  close(code = 1000): void {
    if (this.open) this.#ws.close(code, 'bye');
  }

  /** Vanish: drop the TCP connection without a close frame. */
  terminate(): void {
    this.#ws.terminate();
  }
}
