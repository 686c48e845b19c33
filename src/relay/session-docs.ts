// A session's shared documents: its DocRooms by name (the stored ones loaded when the session opens), the doc
// requests of its participants, and the `docList` everyone sees. On a school relay (cascade) the rooms are copies of
// the upstream relay's documents, obtained through a DocMirror; nothing is stored here then.
import { RefusedError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { DOC_NAME, MAX_DOCS_PER_SESSION, type ClientMessage, type DocInfo, type ServerMessage } from '../signaling/protocol.js';
import { DocRoom, type DocMember, type DocStorage, type DocTiming, type DocUpstream } from './doc-room.js';
import { fromBase64, PieceJoiner } from './doc-wire.js';
import type { RelayObserver } from './observer.js';

const log = logger('relay:docs');

/** How often `docList` is refreshed while documents change (their chars and updatedAt). */
const LIST_REFRESH_MS = 3000;

/** Refusals of a docUpdate after which nothing of it was applied (answered with `params.doc`). */
const REFUSED_UPDATE = new Set<string>(['DOC_TOO_LARGE', 'DOC_UPDATE_BAD']);

export type DocRequest = Extract<ClientMessage, { type: 'docOpen' | 'docUpdate' | 'docAwareness' | 'docClose' | 'docHistory' | 'docRevision' }>;

/** A school relay's way to the upstream copies of documents (cascade). */
export interface DocMirror {
  /** The upstream document, synced (opened there on first use); rejects with the upstream's refusal. */
  replica(name: string): Promise<DocUpstream>;
  /** The upstream's latest docList. */
  list(): DocInfo[];
}

export interface SessionDocsOptions {
  readonly sessionId: string;
  readonly observer: RelayObserver;
  readonly storage?: DocStorage;
  /** Everyone in the session (docList goes to all). */
  readonly everyone: () => Iterable<DocMember>;
  readonly timing?: DocTiming;
}

export class SessionDocs {
  readonly #opts: SessionDocsOptions;
  /** Rooms by name, while loading too (a failed load stays here: DOC_UNAVAILABLE). */
  readonly #rooms = new Map<string, Promise<DocRoom>>();
  readonly #loaded = new Map<string, DocRoom>();
  readonly #pieces = new PieceJoiner();
  #ready: Promise<void> | undefined;
  #mirror: DocMirror | undefined;
  #listTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: SessionDocsOptions) {
    this.#opts = opts;
  }

  /** Cascade: documents come from upstream (set before anyone opens one). */
  mirror(m: DocMirror): void {
    this.#mirror = m;
  }

  /** The stored documents, loaded once (on first use, so a mirrored session never reads any). */
  #loadStored(): Promise<void> {
    this.#ready ??= (async () => {
      if (this.#mirror || !this.#opts.storage) return;
      let names: string[] = [];
      try {
        names = await this.#opts.storage.names(this.#opts.sessionId);
      } catch (err) {
        log('%s: listing stored documents failed: %O', this.#opts.sessionId, err);
      }
      await Promise.allSettled(names.map((n) => this.#create(n)));
    })();
    return this.#ready;
  }

  #create(name: string): Promise<DocRoom> {
    const opts = { name, sessionId: this.#opts.sessionId, observer: this.#opts.observer, onChanged: () => this.#changed(), ...(this.#opts.timing ? { timing: this.#opts.timing } : {}) };
    const storage = this.#opts.storage;
    const mirror = this.#mirror;
    const pending = (async () => {
      let room: DocRoom;
      if (mirror) {
        room = new DocRoom(opts, await mirror.replica(name));
      } else {
        room = new DocRoom(opts);
        if (storage) {
          try {
            room.load(await storage.open(this.#opts.sessionId, name, () => room.encodeState()));
          } catch (err) {
            log('%s/%s cannot be loaded: %O', this.#opts.sessionId, name, err);
            throw new RefusedError('DOC_UNAVAILABLE', { doc: name, detail: (err as Error).message });
          }
        }
      }
      if (this.#closed) void room.close();
      else this.#loaded.set(name, room);
      return room;
    })();
    this.#rooms.set(name, pending);
    // An upstream refusal (a bad name there, its limit) leaves nothing behind; a local failure stays as it is.
    if (mirror) pending.catch(() => this.#rooms.get(name) === pending && this.#rooms.delete(name));
    else pending.catch(() => undefined);
    return pending;
  }

  /** A participant joined: it gets the list (once the stored documents are loaded). */
  joined(p: DocMember): void {
    this.#loadStored().then(() => p.send(this.listMessage()), (err: unknown) => log('docList: %O', err));
  }

  listMessage(): Extract<ServerMessage, { type: 'docList' }> {
    if (this.#mirror) return { type: 'docList', docs: this.#mirror.list() };
    const docs = [...this.#loaded.values()].map((r) => r.info).sort((a, b) => a.name.localeCompare(b.name));
    return { type: 'docList', docs };
  }

  /** Send everyone the list now (a document was added, or the upstream's list changed). */
  broadcastList(): void {
    if (this.#closed) return;
    if (this.#listTimer) clearTimeout(this.#listTimer);
    this.#listTimer = undefined;
    const msg = this.listMessage();
    for (const p of this.#opts.everyone()) p.send(msg);
  }

  #changed(): void {
    if (this.#closed || this.#mirror || this.#listTimer) return;
    this.#listTimer = setTimeout(() => this.broadcastList(), LIST_REFRESH_MS);
  }

  /** One doc request of a participant; throws RefusedError (answered as `error` with the request type as ref). */
  async handle(p: DocMember, m: DocRequest): Promise<void> {
    await this.#loadStored();
    switch (m.type) {
      case 'docOpen': {
        if (!DOC_NAME.test(m.doc)) throw new RefusedError('DOC_NAME_BAD', { name: m.doc });
        let room = this.#rooms.get(m.doc);
        if (!room) {
          if (this.#rooms.size >= MAX_DOCS_PER_SESSION) throw new RefusedError('DOC_LIMIT', { max: MAX_DOCS_PER_SESSION });
          room = this.#create(m.doc);
          const created = await room;
          if (!this.#mirror) this.broadcastList();
          return created.open(p, fromBase64(m.sv));
        }
        return (await room).open(p, fromBase64(m.sv));
      }
      case 'docUpdate': {
        const room = this.#openBy(p, m.doc);
        try {
          const update = this.#pieces.add(`${p.id}\n${m.doc}`, m.update, m.more);
          if (update) room.update(p, update, m.label);
        } catch (err) {
          // The refusal names the document: the client drops its copy of that one and takes ours again.
          if (err instanceof RefusedError && REFUSED_UPDATE.has(err.code)) throw new RefusedError(err.code, { ...err.params, doc: m.doc });
          throw err;
        }
        return;
      }
      case 'docAwareness':
        return this.#openBy(p, m.doc).cursor(p, fromBase64(m.update));
      case 'docClose':
        this.#pieces.drop(`${p.id}\n${m.doc}`);
        return this.#loaded.get(m.doc)?.leave(p.id);
      case 'docHistory': {
        const room = this.#rooms.get(m.doc);
        if (!room && !this.#mirror) return p.send({ type: 'docRevisions', doc: m.doc, revisions: [] });
        const revisions = await (room ?? this.#create(m.doc)).then((r) => r.history());
        return p.send({ type: 'docRevisions', doc: m.doc, revisions });
      }
      case 'docRevision': {
        const room = this.#rooms.get(m.doc);
        if (!room && !this.#mirror) throw new RefusedError('DOC_REV_UNKNOWN', { doc: m.doc, rev: m.rev });
        const r = await (room ?? this.#create(m.doc));
        return r.sendText(p, m.rev, await r.textAt(m.rev));
      }
    }
  }

  #openBy(p: DocMember, name: string): DocRoom {
    const room = this.#loaded.get(name);
    if (!room || !room.isOpenBy(p.id)) throw new RefusedError('DOC_NOT_OPEN', { doc: name });
    return room;
  }

  /** A participant left: its cursors go, its half-sent updates are dropped. */
  leave(p: DocMember): void {
    for (const room of this.#loaded.values()) room.leave(p.id);
    this.#pieces.drop(`${p.id}\n`);
  }

  /** A document by name, once loaded (tests, the bench). */
  room(name: string): DocRoom | undefined {
    return this.#loaded.get(name);
  }

  /** The session ends: every document cuts a last revision and is flushed. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#listTimer) clearTimeout(this.#listTimer);
    // Synchronously first: the last revisions are queued before the relay's store is closed.
    const closing = [...this.#loaded.values()].map((r) => r.close().catch((err: unknown) => log('%s/%s: closing: %O', this.#opts.sessionId, r.name, err)));
    this.#loaded.clear();
    return Promise.all(closing).then(() => undefined);
  }
}
