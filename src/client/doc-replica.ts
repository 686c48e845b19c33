// A headless copy of one shared document (Yjs) kept in step with the relay over a signaling connection: used by
// the CLI (`doc import/export/history`), the bench, tests, and a school relay's link to its upstream (cascade).
// The owner routes the connection: `send` goes to the current socket, incoming messages are fed to `handle`, and
// after a reconnect `open()` resyncs both ways (the relay's answer carries what we lack, we send what it lacks).
// When the relay refuses one of our updates (DOC_TOO_LARGE, DOC_UPDATE_BAD: nothing of it applied) the replica
// drops its copy and takes the relay's again (a new Y.Doc, opened with an empty state vector): the refused change
// would otherwise stay here and be sent, and refused, on every resync. Edits not yet at the relay are lost then.
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { TypedEmitter } from '../core/emitter.js';
import { InvalidStateError, remoteError, RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { PieceJoiner, TextJoiner, fromBase64, toBase64, updatePieces } from '../relay/doc-wire.js';
import type { ClientMessage, DocRevision, ServerMessage } from '../signaling/protocol.js';

const log = logger('client:doc');

/** How long `synced`, `history` and `textAt` wait by default. */
const REPLY_TIMEOUT_MS = 15_000;

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export interface DocReplicaOptions {
  readonly doc: string;
  readonly send: (m: ClientMessage) => void;
  /** Shown with one's cursor (awareness `user`); without it the replica has no cursor. */
  readonly user?: { name: string; color?: string };
  /**
   * Use this Y.Doc (a school relay's mirror keeps history: gc off) instead of a new one. The owner holds it, so a
   * refused update does not reload it (the replica only emits `refused`).
   */
  readonly ydoc?: Y.Doc;
}

export type DocReplicaEvents = {
  /** A docSync was applied (the first one, and each resync after `open()`). */
  synced: [];
  /** A change from elsewhere was applied. */
  remote: [];
  /** The relay refused a request about documents (the `error` message, its `ref` starting with `doc`). */
  refused: [Msg<'error'>];
  /**
   * The relay refused one of our updates to this document: `ydoc`, `text` and `awareness` are new (empty until
   * the relay's answer, then its text) and the old ones are dropped. Follows the `refused` event.
   */
  reloaded: [Msg<'error'>];
};

/** Refusals of a docUpdate after which the relay has nothing of it (its `params.doc` names the document). */
const REFUSED_UPDATE = new Set(['DOC_TOO_LARGE', 'DOC_UPDATE_BAD']);

interface Pending<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class DocReplica extends TypedEmitter<DocReplicaEvents> {
  readonly doc: string;
  #ydoc: Y.Doc;
  #text: Y.Text;
  #awareness: Awareness;
  /** The Y.Doc is ours (not given by the owner): a refused update reloads it. */
  readonly #ownDoc: boolean;
  readonly #user: { name: string; color: string } | undefined;
  readonly #send: (m: ClientMessage) => void;
  readonly #pieces = new PieceJoiner();
  readonly #texts = new TextJoiner();
  #opened = false;
  #closed = false;
  #syncs = 0;
  /** A reload's docOpen is unanswered: refusals meanwhile are of updates sent before it (already dropped). */
  #reloading = false;
  /** Called after every change of the text's document (and after a reload): textWhere's checks. */
  readonly #watchers = new Set<() => void>();
  readonly #syncWaiters = new Set<Pending<void>>();
  readonly #historyWaiters: Pending<DocRevision[]>[] = [];
  readonly #textWaiters: Pending<string>[] = [];

  constructor(opts: DocReplicaOptions) {
    super();
    this.doc = opts.doc;
    this.#send = opts.send;
    this.#ownDoc = opts.ydoc === undefined;
    this.#user = opts.user ? { name: opts.user.name, color: opts.user.color ?? '#30bced' } : undefined;
    this.#ydoc = opts.ydoc ?? new Y.Doc();
    this.#text = this.#ydoc.getText('text');
    this.#awareness = this.#bind(this.#ydoc);
  }

  /** The local copy (a new one after a reload: read it again rather than keeping it). */
  get ydoc(): Y.Doc {
    return this.#ydoc;
  }

  get text(): Y.Text {
    return this.#text;
  }

  get awareness(): Awareness {
    return this.#awareness;
  }

  /** Listen to `ydoc` and make its awareness (with our cursor when we have a user). */
  #bind(ydoc: Y.Doc): Awareness {
    const awareness = new Awareness(ydoc);
    if (this.#user) awareness.setLocalStateField('user', this.#user);
    else awareness.setLocalState(null);
    ydoc.on('update', this.#onUpdate);
    ydoc.on('update', this.#onAnyUpdate);
    awareness.on('update', this.#onAwareness);
    return awareness;
  }

  readonly #onAnyUpdate = (): void => {
    for (const w of [...this.#watchers]) w();
  };

  /** Changes made here (any origin but the replica's own applying of remote data) go to the relay. */
  readonly #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || !this.#opened || this.#closed) return;
    this.#sendUpdate(update);
  };

  readonly #onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin === this || origin === 'timeout' || !this.#opened) return;
    const changed = [...added, ...updated, ...removed];
    if (changed.length > 0) this.#send({ type: 'docAwareness', doc: this.doc, update: toBase64(encodeAwarenessUpdate(this.awareness, changed)) });
  };

  #sendUpdate(update: Uint8Array, label?: string): void {
    const pieces = updatePieces(update);
    pieces.forEach((piece, i) => {
      const last = i === pieces.length - 1;
      this.#send({ type: 'docUpdate', doc: this.doc, update: piece, ...(last ? (label ? { label } : {}) : { more: true as const }) });
    });
  }

  /** Send docOpen with the local state vector (again after a reconnect: the resync). */
  open(): void {
    if (this.#closed) throw new InvalidStateError('DocReplica');
    this.#opened = true;
    this.#send({ type: 'docOpen', doc: this.doc, sv: toBase64(Y.encodeStateVector(this.ydoc)) });
  }

  /** Resolves once a docSync has been applied (at once when one has). */
  synced(timeoutMs = REPLY_TIMEOUT_MS): Promise<void> {
    if (this.#syncs > 0) return Promise.resolve();
    return this.#wait(this.#syncWaiters, timeoutMs, 'docOpen');
  }

  /** Whether a docSync has been applied. */
  get isSynced(): boolean {
    return this.#syncs > 0;
  }

  /** Resolves with the text once `check` holds for it (the current text included). */
  textWhere(check: (text: string) => boolean, timeoutMs = REPLY_TIMEOUT_MS): Promise<string> {
    const now = this.text.toString();
    if (check(now)) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      // Checked after every update of whichever Y.Doc is current (a reload replaces it).
      const watcher = () => {
        const t = this.text.toString();
        if (!check(t)) return;
        finish();
        resolve(t);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new RuntimeError('RELAY_NO_ANSWER', { request: `${this.doc} text` }));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#watchers.delete(watcher);
      };
      this.#watchers.add(watcher);
    });
  }

  /** Replace the whole text in one transaction (sent chunked when big); `label` cuts a labelled revision. */
  replaceText(text: string, opts: { label?: string } = {}): void {
    if (this.#closed) throw new InvalidStateError('DocReplica');
    const before = Y.encodeStateVector(this.ydoc);
    // Our own origin: sent below as one update, with the label on its last piece.
    this.ydoc.transact(() => {
      if (this.text.length > 0) this.text.delete(0, this.text.length);
      if (text.length > 0) this.text.insert(0, text);
    }, this);
    if (this.#opened) this.#sendUpdate(Y.encodeStateAsUpdate(this.ydoc, before), opts.label);
  }

  /** Have the relay cut a revision with this label now (an empty update carrying it). */
  markRevision(label: string): void {
    if (this.#opened && !this.#closed) this.#send({ type: 'docUpdate', doc: this.doc, update: toBase64(new Uint8Array([0, 0])), label });
  }

  /** The document's revisions (docHistory → docRevisions). */
  history(timeoutMs = REPLY_TIMEOUT_MS): Promise<DocRevision[]> {
    const p = this.#wait(this.#historyWaiters, timeoutMs, 'docHistory');
    this.#send({ type: 'docHistory', doc: this.doc });
    return p;
  }

  /** The text at a revision (docRevision → docText). */
  textAt(rev: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<string> {
    const p = this.#wait(this.#textWaiters, timeoutMs, 'docRevision');
    this.#send({ type: 'docRevision', doc: this.doc, rev });
    return p;
  }

  #wait<T>(waiters: Pending<T>[] | Set<Pending<T>>, timeoutMs: number, request: string): Promise<T> {
    if (this.#closed) return Promise.reject(new InvalidStateError('DocReplica'));
    return new Promise<T>((resolve, reject) => {
      const entry: Pending<T> = {
        resolve: (v) => {
          clearTimeout(entry.timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(entry.timer);
          reject(e);
        },
        timer: setTimeout(() => {
          if (Array.isArray(waiters)) waiters.splice(waiters.indexOf(entry), 1);
          else waiters.delete(entry);
          reject(new RuntimeError('RELAY_NO_ANSWER', { request }));
        }, timeoutMs),
      };
      if (Array.isArray(waiters)) waiters.push(entry);
      else waiters.add(entry);
    });
  }

  /** Feed one message from the relay; messages about other documents are ignored. */
  handle(m: ServerMessage): void {
    if (this.#closed) return;
    if (m.type === 'error') return this.#refused(m);
    if (!('doc' in m) || m.doc !== this.doc) return;
    try {
      switch (m.type) {
        case 'docSync': {
          const update = this.#pieces.add('sync', m.update, m.more);
          if (!update) return;
          Y.applyUpdate(this.ydoc, update, this);
          this.#reloading = false;
          // What the relay lacks (edits made here while disconnected, or before the first open).
          const missing = Y.encodeStateAsUpdate(this.ydoc, fromBase64(m.sv));
          if (!isEmptyUpdate(missing)) this.#sendUpdate(missing);
          const mine = this.awareness.getLocalState();
          if (mine !== null) this.awareness.setLocalState(mine);
          this.#syncs++;
          for (const w of [...this.#syncWaiters]) w.resolve();
          this.#syncWaiters.clear();
          this.safeEmit('synced');
          return;
        }
        case 'docUpdate': {
          const update = this.#pieces.add('update', m.update, m.more);
          if (!update) return;
          Y.applyUpdate(this.ydoc, update, this);
          this.safeEmit('remote');
          return;
        }
        case 'docAwareness':
          applyAwarenessUpdate(this.awareness, fromBase64(m.update), this);
          return;
        case 'docRevisions':
          this.#historyWaiters.shift()?.resolve(m.revisions);
          return;
        case 'docText': {
          const text = this.#texts.add(m.text, m.more);
          if (text !== undefined) this.#textWaiters.shift()?.resolve(text);
          return;
        }
        default:
          return;
      }
    } catch (err) {
      log('%s: cannot apply %s: %O', this.doc, m.type, err);
    }
  }

  #refused(m: Msg<'error'>): void {
    if (!m.ref?.startsWith('doc')) return;
    const err = remoteError('refused', m.code, m.message, m.params);
    if (m.ref === 'docOpen' && this.#syncs === 0) {
      for (const w of [...this.#syncWaiters]) w.reject(err);
      this.#syncWaiters.clear();
    }
    if (m.ref === 'docHistory') this.#historyWaiters.shift()?.reject(err);
    if (m.ref === 'docRevision') this.#textWaiters.shift()?.reject(err);
    this.safeEmit('refused', m);
    if (m.ref === 'docUpdate' && REFUSED_UPDATE.has(m.code) && m.params?.['doc'] === this.doc) this.#reload(m);
  }

  /**
   * The relay has nothing of an update we sent, and our copy has it: drop the copy and take the relay's (a new
   * Y.Doc, opened with an empty state vector), or that update would go out again with every resync. Edits not yet
   * at the relay go with it. Once per reload: refusals before its answer are of updates sent before it.
   */
  #reload(m: Msg<'error'>): void {
    if (!this.#ownDoc || !this.#opened || this.#closed || this.#reloading) return;
    log('%s: the relay refused our update (%s): reloading the document from the relay', this.doc, m.code);
    // Our cursor goes away for the others (it belongs to the old document's client id).
    if (this.#awareness.getLocalState() !== null) this.#awareness.setLocalState(null);
    this.#ydoc.off('update', this.#onUpdate);
    this.#ydoc.off('update', this.#onAnyUpdate);
    this.#awareness.off('update', this.#onAwareness);
    this.#awareness.destroy();
    this.#ydoc.destroy();
    this.#pieces.drop('sync');
    this.#pieces.drop('update');
    this.#ydoc = new Y.Doc();
    this.#text = this.#ydoc.getText('text');
    this.#awareness = this.#bind(this.#ydoc);
    this.#syncs = 0;
    this.#reloading = true;
    this.#send({ type: 'docOpen', doc: this.doc, sv: toBase64(Y.encodeStateVector(this.#ydoc)) });
    this.safeEmit('reloaded', m);
    this.#onAnyUpdate();
  }

  /** Remove others' cursors (the connection to the relay is gone; they come back with the next sync). */
  forgetOthers(): void {
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.awareness.clientID);
    removeAwarenessStates(this.awareness, others, this);
  }

  /** Tell the relay (docClose) and stop. Idempotent; the Y.Doc stays readable. */
  close(): void {
    if (this.#closed) return;
    if (this.#opened) {
      // Our cursor goes away for the others first.
      this.awareness.setLocalState(null);
      this.#send({ type: 'docClose', doc: this.doc });
    }
    this.#closed = true;
    this.#watchers.clear();
    this.ydoc.off('update', this.#onUpdate);
    this.ydoc.off('update', this.#onAnyUpdate);
    this.awareness.off('update', this.#onAwareness);
    this.awareness.destroy();
    const closed = new InvalidStateError('DocReplica');
    for (const w of [...this.#syncWaiters, ...this.#historyWaiters, ...this.#textWaiters]) w.reject(closed);
    this.#syncWaiters.clear();
    this.#historyWaiters.length = 0;
    this.#textWaiters.length = 0;
  }
}

/** Y.encodeStateAsUpdate of nothing new: no structs and an empty delete set. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength <= 2 && update.every((b) => b === 0);
}
