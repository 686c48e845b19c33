// What the `doc` commands share: a monitor connection to the session (with the host key when given), the
// session's document list, and a synced replica of one document (src/client/doc-replica.ts).
import { RefusedError, RuntimeError, UsageError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import type { ParticipantClient } from '../client/participant-client.js';
import { DocReplica } from '../client/doc-replica.js';
import { DOC_NAME, type DocInfo, type ServerMessage } from '../signaling/protocol.js';
import type { CliContext } from './context.js';
import { openMonitor, type LinkOptions } from './session-link.js';

/** The document the commands use without --name (the page's first document too). */
export const DEFAULT_DOC = 'plan';
/** How long to wait for the relay's document list after joining. */
const DOC_LIST_TIMEOUT_MS = 15_000;

/** The --name value, checked like the relay checks it (DOC_NAME_BAD, exit 2). */
export function docName(value: unknown): string {
  const name = typeof value === 'string' ? value : DEFAULT_DOC;
  if (!DOC_NAME.test(name)) throw new UsageError('DOC_NAME_BAD', { name });
  return name;
}

export class DocLink {
  readonly client: ParticipantClient;
  readonly #replicas: DocReplica[] = [];
  #closed = false;

  private constructor(client: ParticipantClient) {
    this.client = client;
  }

  /** Join `target` as a monitor; `needHostKey`: without --host-key it is a usage error, a wrong one is refused. */
  static async open(ctx: CliContext, target: string, opts: LinkOptions, needHostKey = false): Promise<DocLink> {
    const client = await openMonitor(ctx, target, opts, needHostKey);
    if (needHostKey && client.joined.role !== 'host') {
      client.close();
      throw new RefusedError('HOST_KEY_WRONG');
    }
    return new DocLink(client);
  }

  /** The session's documents (the `docList` the relay sends after `joined`). */
  docs(timeoutMs = DOC_LIST_TIMEOUT_MS): Promise<DocInfo[]> {
    const listed = this.client.lastDocList;
    if (listed) return Promise.resolve(listed.docs);
    return new Promise((resolve, reject) => {
      const onMessage = (m: ServerMessage) => {
        if (m.type !== 'docList') return;
        finish();
        resolve(m.docs);
      };
      const onClosed = () => {
        finish();
        reject(new RuntimeError('JOIN_FAILED', { detail: 'connection closed' }));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new RuntimeError('RELAY_NO_ANSWER', { request: 'docList' }));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.client.off('message', onMessage);
        this.client.off('closed', onClosed);
      };
      this.client.on('message', onMessage);
      this.client.once('closed', onClosed);
    });
  }

  /** The listed document `name`, or DOC_NOT_FOUND (exit 4) naming the ones there are. */
  async existing(name: string): Promise<DocInfo> {
    const docs = await this.docs();
    const found = docs.find((d) => d.name === name);
    if (!found) throw new RefusedError('DOC_NOT_FOUND', { doc: name, docs: docs.map((d) => d.name).join(', ') || t('doc_none_listed') });
    return found;
  }

  /**
   * A replica of `name` on this connection. `sync`: open it (the relay creates it when new) and resolve once it
   * holds the relay's text; history and past revisions need no copy of the document.
   */
  async replica(name: string, sync = true): Promise<DocReplica> {
    const replica = new DocReplica({ doc: name, send: (m) => this.client.send(m) }); // no user: the CLI shows no cursor
    this.#replicas.push(replica);
    this.client.on('message', (m) => replica.handle(m));
    if (sync) {
      replica.open();
      await replica.synced();
    }
    return replica;
  }

  /** Close the replicas (docClose) and leave. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const r of this.#replicas) r.close();
    this.client.close();
  }
}
