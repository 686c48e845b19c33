// Cascade: a school relay's copies of the upstream relay's shared documents. Each document its people open is a
// DocReplica on the mirror connection (the school relay's one viewer upstream); the local DocRoom is built on the
// replica's Y.Doc and awareness, so local edits and cursors go up and upstream ones come down through the same
// events. After the link comes back every replica is opened again: the upstream's answer carries what the school
// lacks, and the replica sends what the upstream lacks (edits made at the school meanwhile). Nothing is stored here.
import * as Y from 'yjs';
import { DocReplica } from '../client/doc-replica.js';
import type { ParticipantClient } from '../client/participant-client.js';
import { logger } from '../core/log.js';
import type { DocUpstream } from '../relay/doc-room.js';
import type { DocMirror } from '../relay/session-docs.js';
import type { DocInfo, ServerMessage } from '../signaling/protocol.js';

const log = logger('server:upstream-docs');

export class UpstreamDocs implements DocMirror {
  readonly #replicas = new Map<string, { replica: DocReplica; ready: Promise<DocUpstream> }>();
  /** The local session's list changed (the upstream's did). */
  readonly #onList: () => void;
  #client: ParticipantClient | undefined;
  #list: DocInfo[] = [];
  #closed = false;

  constructor(onList: () => void) {
    this.#onList = onList;
  }

  /** A (new) mirror connection: follow it, and resync every document on it. */
  attach(client: ParticipantClient): void {
    this.#client = client;
    if (client.lastDocList) this.#setList(client.lastDocList.docs);
    client.on('message', (m) => {
      if (client === this.#client) this.#handle(m);
    });
    for (const { replica } of this.#replicas.values()) replica.open();
  }

  #handle(m: ServerMessage): void {
    if (m.type === 'docList') return this.#setList(m.docs);
    for (const { replica } of this.#replicas.values()) replica.handle(m);
  }

  #setList(docs: DocInfo[]): void {
    this.#list = docs;
    this.#onList();
  }

  list(): DocInfo[] {
    return this.#list;
  }

  replica(name: string): Promise<DocUpstream> {
    const known = this.#replicas.get(name);
    if (known) return known.ready;
    // gc off like the upstream's own copy: the same updates apply the same way on both sides.
    const replica = new DocReplica({ doc: name, send: (m) => this.#client?.send(m), ydoc: new Y.Doc({ gc: false }) });
    const ready = replica.synced().then((): DocUpstream => ({
      ydoc: replica.ydoc, awareness: replica.awareness,
      history: () => replica.history(),
      textAt: (rev) => replica.textAt(rev),
      mark: (label) => replica.markRevision(label),
    }));
    this.#replicas.set(name, { replica, ready });
    ready.catch((err: unknown) => {
      log('%s: %s', name, (err as Error).message);
      if (this.#replicas.get(name)?.replica === replica) this.#replicas.delete(name);
      replica.close();
    });
    if (!this.#closed) replica.open();
    return ready;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { replica } of this.#replicas.values()) replica.close();
    this.#replicas.clear();
  }
}
