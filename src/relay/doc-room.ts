// One shared document of a session: a Y.Doc (gc off, so past revisions can be shown) and the cursors (awareness)
// of those who have it open. Applies what members send, passes it to the other members, hands updates to its
// storage and cuts revisions after edit bursts. On a school relay (cascade) the Y.Doc and awareness are a replica's,
// kept in step with the upstream relay: its changes reach local members through the same `update` events.
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { RefusedError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { MAX_AWARENESS_BYTES, MAX_DOC_BYTES, type DocInfo, type DocRevision, type ServerMessage } from '../signaling/protocol.js';
import { fromBase64, textPieces, toBase64, updatePieces } from './doc-wire.js';
import type { RelayObserver } from './observer.js';

const log = logger('relay:doc');

/** Who may have a document open: a participant (its id, name and outbox). */
export interface DocMember {
  readonly id: string;
  readonly name: string;
  send(message: ServerMessage): void;
}

/** One revision as kept: what docRevisions shows, plus base64 of Y.encodeSnapshot. */
export interface RevisionRecord extends DocRevision {
  readonly snapshot: string;
}

/** Where a document is kept (the relay's DocStore provides it; see src/store/doc-store.ts). */
export interface DocStorage {
  names(sessionId: string): Promise<string[]>;
  open(sessionId: string, name: string, state: () => Uint8Array): Promise<StoredDoc>;
}

export interface StoredDoc {
  /** Updates to apply, in order, to get the document back. */
  readonly loaded: readonly Uint8Array[];
  readonly revisions: readonly RevisionRecord[];
  append(update: Uint8Array): void;
  appendRevision(r: RevisionRecord): void;
  close(): Promise<void>;
}

/** A school relay's copy of an upstream document (cascade): its revisions are asked upstream. */
export interface DocUpstream {
  readonly ydoc: Y.Doc;
  readonly awareness: Awareness;
  history(): Promise<DocRevision[]>;
  textAt(rev: number): Promise<string>;
  /** Ask the upstream to cut a revision with this label (after what was sent so far). */
  mark(label: string): void;
}

export interface DocTiming {
  /** A revision is cut once the document has been quiet this long after edits. Default 5 s. */
  readonly quietMs: number;
  /** …or after this long of continuous editing. Default 60 s. */
  readonly burstMs: number;
}

export const DEFAULT_DOC_TIMING: DocTiming = { quietMs: 5000, burstMs: 60_000 };

export interface DocRoomOptions {
  readonly name: string;
  readonly sessionId: string;
  readonly observer: RelayObserver;
  readonly timing?: DocTiming;
  /** Something changed (text length, last change): the session's docList may need refreshing. */
  readonly onChanged: () => void;
}

type Source = { kind: 'local'; storage: StoredDoc | undefined } | { kind: 'upstream'; upstream: DocUpstream };

export class DocRoom {
  readonly name: string;
  readonly ydoc: Y.Doc;
  readonly text: Y.Text;
  readonly awareness: Awareness;
  readonly #opts: DocRoomOptions;
  readonly #timing: DocTiming;
  readonly #members = new Map<string, { member: DocMember; clients: Set<number> }>();
  #source: Source = { kind: 'local', storage: undefined };
  readonly #revisions: RevisionRecord[] = [];
  /** Upper bound of the encoded state's size (exact after a recount). */
  #bytes = 0;
  updatedAt = new Date();
  readonly #editors = new Set<string>();
  #quietTimer: NodeJS.Timeout | undefined;
  #burstTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: DocRoomOptions, upstream?: DocUpstream) {
    this.name = opts.name;
    this.#opts = opts;
    this.#timing = opts.timing ?? DEFAULT_DOC_TIMING;
    if (upstream) {
      this.#source = { kind: 'upstream', upstream };
      this.ydoc = upstream.ydoc;
      this.awareness = upstream.awareness;
    } else {
      this.ydoc = new Y.Doc({ gc: false });
      this.awareness = new Awareness(this.ydoc);
      this.awareness.setLocalState(null);
    }
    this.text = this.ydoc.getText('text');
    this.ydoc.on('update', this.#onUpdate);
    this.awareness.on('update', this.#onAwareness);
  }

  /** Load the stored document (once, before anyone opens it); later updates are appended to `storage`. */
  load(storage: StoredDoc): void {
    this.ydoc.transact(() => {
      for (const u of storage.loaded) {
        try {
          Y.applyUpdate(this.ydoc, u);
        } catch (err) {
          log('%s/%s: a stored update does not apply: %O', this.#opts.sessionId, this.name, err);
        }
      }
    }, 'load');
    this.#revisions.push(...storage.revisions);
    this.#source = { kind: 'local', storage };
    this.#bytes = this.encodeState().byteLength;
    const last = storage.revisions.at(-1);
    if (last) this.updatedAt = new Date(last.at);
  }

  /** The whole state (what a compaction writes). */
  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.ydoc);
  }

  get info(): DocInfo {
    return { name: this.name, chars: this.text.length, updatedAt: this.updatedAt.toISOString() };
  }

  isOpenBy(id: string): boolean {
    return this.#members.has(id);
  }

  // ── What members send ───────────────────────────────────────────────────────────────────────────────────────

  /** docOpen: the member receives updates from now on; answered with what it lacks and everyone's cursors. */
  open(m: DocMember, sv: Uint8Array): void {
    let diff: Uint8Array;
    try {
      diff = Y.encodeStateAsUpdate(this.ydoc, sv.byteLength > 0 ? sv : undefined);
    } catch (err) {
      throw new RefusedError('DOC_UPDATE_BAD', { detail: `state vector: ${(err as Error).message}` });
    }
    if (!this.#members.has(m.id)) this.#members.set(m.id, { member: m, clients: new Set() });
    const svOut = toBase64(Y.encodeStateVector(this.ydoc));
    const pieces = updatePieces(diff);
    pieces.forEach((update, i) => m.send({ type: 'docSync', doc: this.name, update, sv: svOut, ...(i < pieces.length - 1 ? { more: true as const } : {}) }));
    const ids = [...this.awareness.getStates().keys()];
    if (ids.length > 0) m.send({ type: 'docAwareness', doc: this.name, update: toBase64(encodeAwarenessUpdate(this.awareness, ids)) });
  }

  /** docUpdate (joined from its pieces): checked, applied, passed on. */
  update(m: DocMember, update: Uint8Array, label?: string): void {
    if (!this.#members.has(m.id)) throw new RefusedError('DOC_NOT_OPEN', { doc: this.name });
    try {
      Y.decodeUpdate(update);
    } catch (err) {
      throw new RefusedError('DOC_UPDATE_BAD', { detail: (err as Error).message });
    }
    if (this.#bytes + update.byteLength > MAX_DOC_BYTES) {
      this.#bytes = this.encodeState().byteLength;
      if (this.#bytes + update.byteLength > MAX_DOC_BYTES) throw new RefusedError('DOC_TOO_LARGE', { max: MAX_DOC_BYTES });
    }
    try {
      Y.applyUpdate(this.ydoc, update, m);
    } catch (err) {
      throw new RefusedError('DOC_UPDATE_BAD', { detail: (err as Error).message });
    }
    if (label === undefined) return;
    if (this.#source.kind === 'upstream') this.#source.upstream.mark(label);
    else this.cutRevision(label);
  }

  /** docAwareness: the member's cursor, passed on; its client ids are remembered to remove them when it goes. */
  cursor(m: DocMember, update: Uint8Array): void {
    const entry = this.#members.get(m.id);
    if (!entry) throw new RefusedError('DOC_NOT_OPEN', { doc: this.name });
    if (update.byteLength > MAX_AWARENESS_BYTES) throw new RefusedError('DOC_AWARENESS_BAD', { detail: `over ${MAX_AWARENESS_BYTES} bytes` });
    try {
      applyAwarenessUpdate(this.awareness, update, m);
    } catch (err) {
      throw new RefusedError('DOC_AWARENESS_BAD', { detail: (err as Error).message });
    }
  }

  /** docClose, or the member left: its cursors are removed for the others. */
  leave(id: string): void {
    const entry = this.#members.get(id);
    if (!entry) return;
    this.#members.delete(id);
    const mine = [...entry.clients].filter((c) => this.awareness.getStates().has(c));
    if (mine.length > 0) removeAwarenessStates(this.awareness, mine, entry.member);
  }

  // ── Passing changes on ──────────────────────────────────────────────────────────────────────────────────────

  readonly #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === 'load') return;
    this.#bytes += update.byteLength;
    this.updatedAt = new Date();
    const pieces = updatePieces(update);
    const messages: ServerMessage[] = pieces.map((u, i) => ({ type: 'docUpdate', doc: this.name, update: u, ...(i < pieces.length - 1 ? { more: true as const } : {}) }));
    for (const { member } of this.#members.values()) if (member !== origin) for (const msg of messages) member.send(msg);
    if (this.#source.kind !== 'local') return this.#opts.onChanged();
    this.#source.storage?.append(update);
    const by = origin as Partial<DocMember> | null;
    if (typeof by?.name === 'string') this.#editors.add(by.name);
    this.#edited();
    this.#opts.onChanged();
  };

  readonly #onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const from = [...this.#members.values()].find((e) => e.member === origin);
    if (from) for (const id of [...added, ...updated]) from.clients.add(id);
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0 || origin === 'timeout') return;
    const msg: ServerMessage = { type: 'docAwareness', doc: this.name, update: toBase64(encodeAwarenessUpdate(this.awareness, changed)) };
    for (const { member } of this.#members.values()) if (member !== origin) member.send(msg);
  };

  // ── Revisions ───────────────────────────────────────────────────────────────────────────────────────────────

  #edited(): void {
    if (this.#quietTimer) clearTimeout(this.#quietTimer);
    this.#quietTimer = setTimeout(() => this.cutRevision(), this.#timing.quietMs);
    this.#burstTimer ??= setTimeout(() => this.cutRevision(), this.#timing.burstMs);
  }

  /** Cut a revision now: after edits, or with a label (an import) whatever happened since. */
  cutRevision(label?: string): RevisionRecord | undefined {
    if (this.#quietTimer) clearTimeout(this.#quietTimer);
    if (this.#burstTimer) clearTimeout(this.#burstTimer);
    this.#quietTimer = this.#burstTimer = undefined;
    if (this.#source.kind !== 'local' || (this.#editors.size === 0 && label === undefined)) return undefined;
    const bytes = this.encodeState().byteLength;
    this.#bytes = bytes;
    const r: RevisionRecord = {
      rev: (this.#revisions.at(-1)?.rev ?? 0) + 1, at: new Date().toISOString(), by: [...this.#editors].sort(),
      chars: this.text.length, bytes, ...(label !== undefined ? { label } : {}),
      snapshot: toBase64(Y.encodeSnapshot(Y.snapshot(this.ydoc))),
    };
    this.#editors.clear();
    this.#revisions.push(r);
    this.#source.storage?.appendRevision(r);
    this.#opts.observer.safeEmit('docRevision', this.#opts.sessionId, this.name, r.rev);
    return r;
  }

  async history(): Promise<DocRevision[]> {
    if (this.#source.kind === 'upstream') return this.#source.upstream.history();
    return this.#revisions.map(({ snapshot: _snapshot, ...r }) => r);
  }

  async textAt(rev: number): Promise<string> {
    if (this.#source.kind === 'upstream') return this.#source.upstream.textAt(rev);
    const r = this.#revisions.find((x) => x.rev === rev);
    if (!r) throw new RefusedError('DOC_REV_UNKNOWN', { doc: this.name, rev });
    const past = Y.createDocFromSnapshot(this.ydoc, Y.decodeSnapshot(fromBase64(r.snapshot)));
    try {
      return past.getText('text').toString();
    } finally {
      past.destroy();
    }
  }

  /** Send a text in pieces (docText). */
  sendText(m: DocMember, rev: number, text: string): void {
    const pieces = textPieces(text);
    pieces.forEach((t, i) => m.send({ type: 'docText', doc: this.name, rev, text: t, ...(i < pieces.length - 1 ? { more: true as const } : {}) }));
  }

  /** The session ends or the relay stops: a last revision, then the storage is flushed. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.cutRevision();
    this.#members.clear();
    this.ydoc.off('update', this.#onUpdate);
    this.awareness.off('update', this.#onAwareness);
    if (this.#source.kind === 'local') {
      this.awareness.destroy();
      await this.#source.storage?.close();
    }
  }
}
