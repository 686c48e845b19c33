// A headless document editor for tests: a ParticipantClient (a monitor unless asked otherwise) with a DocReplica
// fed from it; `reconnect()` joins again on a new socket and resyncs the same replica (edits made meanwhile merge).
import { ParticipantClient } from '../../src/client/participant-client.js';
import { DocReplica } from '../../src/client/doc-replica.js';
import type { ClientMessage, ServerMessage } from '../../src/signaling/protocol.js';
import type { TestRelay } from './relay.js';

export interface DocClientOptions {
  readonly url: string;
  readonly ca: string;
  readonly code: string;
  readonly name: string;
  readonly venue?: string;
  readonly doc?: string;
  /** Join as an ordinary (listed) participant instead of a monitor. */
  readonly listed?: boolean;
}

export class DocClient {
  readonly opts: DocClientOptions;
  readonly replica: DocReplica;
  client: ParticipantClient;
  /** Every message received (all connections), for assertions on errors and lists. */
  readonly received: ServerMessage[] = [];
  /** Every message the replica sent (all connections), for assertions on what goes out. */
  readonly sent: ClientMessage[] = [];

  private constructor(opts: DocClientOptions, client: ParticipantClient) {
    this.opts = opts;
    this.client = client;
    const send = (m: ClientMessage) => {
      this.sent.push(m);
      this.client.send(m);
    };
    this.replica = new DocReplica({ doc: opts.doc ?? 'plan', send, user: { name: opts.name, color: '#c04040' } });
    this.#follow(client);
  }

  static async connect(opts: DocClientOptions): Promise<DocClient> {
    const c = new DocClient(opts, await DocClient.#join(opts));
    c.replica.open();
    await c.replica.synced();
    return c;
  }

  static #join(opts: DocClientOptions): Promise<ParticipantClient> {
    return ParticipantClient.connect({ relay: opts.url, ca: opts.ca, code: opts.code, name: opts.name, venue: opts.venue ?? '一小', monitor: !opts.listed });
  }

  #follow(client: ParticipantClient): void {
    client.on('message', (m) => {
      if (client !== this.client) return;
      this.received.push(m);
      this.replica.handle(m);
    });
  }

  get text(): string {
    return this.replica.text.toString();
  }

  /** Join again on a new socket and resync (the old one must be closed); resolves once the relay's answer applied. */
  async reconnect(): Promise<void> {
    this.client.close();
    this.client = await DocClient.#join(this.opts);
    this.#follow(this.client);
    const synced = new Promise<void>((resolve) => this.replica.once('synced', resolve));
    this.replica.open();
    await synced;
  }

  /** The next `error` message with this code (already received ones count). */
  errorCode(code: string, timeoutMs = 10_000): Promise<Extract<ServerMessage, { type: 'error' }>> {
    const seen = this.received.find((m) => m.type === 'error' && m.code === code);
    if (seen) return Promise.resolve(seen as Extract<ServerMessage, { type: 'error' }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no error ${code} within ${timeoutMs} ms`)), timeoutMs);
      const on = (m: ServerMessage) => {
        if (m.type !== 'error' || m.code !== code) return;
        clearTimeout(timer);
        this.client.off('message', on);
        resolve(m);
      };
      this.client.on('message', on);
    });
  }

  close(): void {
    this.replica.close();
    this.client.close();
  }
}

/** The relay's own copy of a session's document (undefined while the document is not open there). */
export function relayText(r: TestRelay, sessionId: string, doc = 'plan'): string | undefined {
  return r.running.relay.sessions.get(sessionId)?.docs.room(doc)?.text.toString();
}
