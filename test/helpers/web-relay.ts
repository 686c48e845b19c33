// A stand-in for the relay as the join page sees it: serves dist/web the way the relay does (`/` and
// `/j/<code>` → index.html, `/assets/<file>` → dist/web/assets/<file>), answers `GET /api/join/<code>`
// from a table, and lets a test script the `/ws` side message by message. Every frame the page sends is checked against the zod contract.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseClientMessage, type ClientMessage, type ServerMessage } from '../../src/signaling/protocol.js';
import { PEER_PAGE_HTML, PEER_PAGE_JS } from './peer-page.js';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export interface LookupReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Waiter = { type: ClientMessage['type']; resolve: (m: ClientMessage) => void };

/** One page's WebSocket, seen from the relay. */
export class PageSocket {
  readonly received: ClientMessage[] = [];
  /** Frames that did not satisfy the contract (a test expects this to stay empty). */
  readonly invalid: string[] = [];
  readonly #unread: ClientMessage[] = [];
  readonly #waiters: Waiter[] = [];
  readonly closed: Promise<void>;

  constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data) => {
      const text = String(data);
      const r = parseClientMessage(text);
      if (!r.ok) {
        this.invalid.push(text);
        return;
      }
      this.received.push(r.message);
      const i = this.#waiters.findIndex((w) => w.type === r.message.type);
      const waiter = i >= 0 ? this.#waiters.splice(i, 1)[0] : undefined;
      if (waiter) waiter.resolve(r.message);
      else this.#unread.push(r.message);
    });
  }

  /** The next message of this type from the page (earlier unread ones first). */
  next<T extends ClientMessage['type']>(type: T): Promise<Extract<ClientMessage, { type: T }>> {
    const i = this.#unread.findIndex((m) => m.type === type);
    const found = i >= 0 ? this.#unread.splice(i, 1)[0] : undefined;
    if (found) return Promise.resolve(found as Extract<ClientMessage, { type: T }>);
    return new Promise((resolve) => this.#waiters.push({ type, resolve: (m) => resolve(m as Extract<ClientMessage, { type: T }>) }));
  }

  send(message: ServerMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Drop the connection the way a network failure would (no close handshake). */
  drop(): void {
    this.ws.terminate();
  }
}

export interface FakeRelay {
  url: string;
  lookups: Map<string, LookupReply>;
  /** The next page WebSocket to connect (those that connected earlier and were not taken first). */
  nextSocket(): Promise<PageSocket>;
  close(): Promise<void>;
}

export async function startFakeRelay(): Promise<FakeRelay> {
  const lookups = new Map<string, LookupReply>();
  const pending: PageSocket[] = [];
  const waiting: Array<(s: PageSocket) => void> = [];

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const join_ = /^\/api\/join\/([^/]+)$/.exec(path);
    if (join_) {
      const reply = lookups.get(decodeURIComponent(join_[1] ?? '')) ?? { status: 404, body: { error: { code: 'CODE_UNKNOWN', message: 'unknown' } } };
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
      return;
    }
    if (path === '/peer') return send(res, 'text/html; charset=utf-8', PEER_PAGE_HTML);
    if (path === '/peer.js') return send(res, TYPES['.js'] ?? '', PEER_PAGE_JS);
    const file = path === '/' || /^\/j\/[^/]+\/?$/.test(path) ? 'index.html' : /^\/assets\/[\w.-]+$/.test(path) ? path.slice(1) : null;
    const body = file ? await readFile(join(WEB_ROOT, file)).catch(() => null) : null;
    if (!file || !body) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    send(res, TYPES[extname(file)] ?? 'application/octet-stream', body);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => {
    const s = new PageSocket(ws);
    const w = waiting.shift();
    if (w) w(s);
    else pending.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    lookups,
    nextSocket: () => {
      const s = pending.shift();
      return s ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
