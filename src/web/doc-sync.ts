// One shared document on the page: a local Y.Doc (the text is `getText('text')`) and an Awareness (who has a
// cursor where: local state `user: {name, color}`), kept in step with the relay over the signaling socket.
//
// open() sends `docOpen` with the local state vector; the relay answers `docSync` with what we lack and its own
// state vector, and we answer with what it lacks — so edits made while the connection was down merge when it is
// back (call open() again after every (re)join). Until that answer, local edits stay in the Y.Doc and go out with
// it; after it, each local update goes out as `docUpdate` (in pieces when long). The editor keeps working
// throughout: nothing here waits for the network.
//
// When the relay refuses one of our updates (too large, unreadable: it has nothing of it), reload() drops the local
// copy and takes the relay's: a new Y.Doc (editors must bind to it again: `ydoc`, `text`, `awareness` and
// `undoManager` are new), opened with an empty state vector. Otherwise the refused change would stay here, shown
// to nobody else, and go out (and be refused) again with every resync. Local edits not yet at the relay are lost.
import type { ClientMessage, ServerMessage } from '../signaling/protocol.js';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Emitter } from './emitter.js';
import { fromBase64, isEmptyUpdate, PieceJoiner, pieces, toBase64 } from './doc-wire.js';

export type DocServerMessage = Extract<ServerMessage, { type: 'docSync' | 'docUpdate' | 'docAwareness' }>;

export interface DocUser {
  name: string;
  color: string;
}

export interface DocSyncEvents {
  /** `synced` changed (the relay answered an open, or the connection went). */
  status: [];
  /** reload() replaced the local copy: bind editors to the new `text`, `awareness` and `undoManager`. */
  reloaded: [];
}

/** Awareness updates applied from the relay carry this origin, local Y updates from the relay this object. */
const REMOTE = 'relay';

export class DocSync extends Emitter<DocSyncEvents> {
  #copy: LocalCopy;
  /** The relay has answered our latest open and has everything we have (local edits now go out as they come). */
  synced = false;
  /** The relay answered at least once. */
  everSynced = false;
  readonly #pieces = new PieceJoiner<'docSync' | 'docUpdate'>();
  /** A reload's docOpen is unanswered: refusals meanwhile are of updates sent before it (already dropped). */
  #reloading = false;
  #closed = false;

  constructor(
    readonly name: string,
    private readonly send: (m: ClientMessage) => boolean,
    private readonly user: DocUser,
  ) {
    super();
    this.#copy = this.#newCopy();
  }

  /** gc off like the relay's copy, so what the relay keeps for its history is whole. New after a reload. */
  get ydoc(): Y.Doc {
    return this.#copy.ydoc;
  }

  get text(): Y.Text {
    return this.#copy.text;
  }

  get awareness(): Awareness {
    return this.#copy.awareness;
  }

  /** Undo/redo of this page's own edits, kept while the document is open (across editors shown for it). */
  get undoManager(): Y.UndoManager {
    return this.#copy.undoManager;
  }

  #newCopy(): LocalCopy {
    const ydoc = new Y.Doc({ gc: false });
    const text = ydoc.getText('text');
    const awareness = new Awareness(ydoc);
    awareness.setLocalStateField('user', this.user);
    ydoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this && this.synced && ydoc === this.ydoc) this.#sendUpdate(update);
    });
    awareness.on('update', ({ added, updated, removed }: AwarenessChanges, origin: unknown) => {
      if (origin === 'local' && this.synced) this.#sendAwareness(awareness, [...added, ...updated, ...removed]);
    });
    return { ydoc, text, awareness, undoManager: new Y.UndoManager(text) };
  }

  /** Ask the relay for the document (creating it when new), or resync after a reconnect. */
  open(): void {
    if (this.#closed) return;
    this.#setSynced(false);
    this.#pieces.clear();
    this.send({ type: 'docOpen', doc: this.name, sv: toBase64(Y.encodeStateVector(this.ydoc)) });
  }

  /** The connection is gone: keep editing locally until open() is called on the next one. */
  offline(): void {
    this.#pieces.clear();
    this.#setSynced(false);
  }

  handle(m: DocServerMessage): void {
    if (this.#closed || m.doc !== this.name) return;
    try {
      if (m.type === 'docAwareness') return applyAwarenessUpdate(this.awareness, fromBase64(m.update), REMOTE);
      const whole = this.#pieces.add(m.type, m.update, m.more);
      if (whole === null) return;
      Y.applyUpdate(this.ydoc, fromBase64(whole), this);
      if (m.type === 'docSync') {
        this.#reloading = false;
        this.#answerSync(m.sv);
      }
    } catch (err) {
      console.warn(`jiaoyan: ignored a bad ${m.type} for document ${this.name}`, err);
    }
  }

  /**
   * The relay refused one of our updates and has nothing of it: drop the local copy (with our edits the relay does
   * not have) and take the relay's — a new Y.Doc, opened with an empty state vector. False (nothing done) when
   * closed or when a reload is already waiting for its answer (the refusal is of an update sent before it).
   */
  reload(): boolean {
    if (this.#closed || this.#reloading) return false;
    // Our cursor goes away for the others while we can still say so (it is the old document's client id).
    this.awareness.setLocalState(null);
    this.#pieces.clear();
    this.#setSynced(false);
    this.#destroyCopy();
    this.#copy = this.#newCopy();
    this.#reloading = true;
    this.emit('reloaded');
    this.send({ type: 'docOpen', doc: this.name, sv: toBase64(Y.encodeStateVector(this.ydoc)) });
    return true;
  }

  /** Stop: others see our cursor go; the relay is told when still connected. Idempotent. */
  close(): void {
    if (this.#closed) return;
    if (this.synced) {
      this.awareness.setLocalState(null); // goes out through the update listener
      this.send({ type: 'docClose', doc: this.name });
    }
    this.#closed = true;
    this.synced = false;
    this.#destroyCopy();
    this.removeAllListeners();
  }

  #destroyCopy(): void {
    this.undoManager.destroy();
    this.awareness.destroy();
    this.ydoc.destroy();
  }

  /** The relay has what it sent plus what it lacks from us (sent now); from here on updates go out one by one. */
  #answerSync(relaySv: string): void {
    const missing = Y.encodeStateAsUpdate(this.ydoc, fromBase64(relaySv));
    if (!isEmptyUpdate(missing) && !this.#sendUpdate(missing)) return;
    this.#setSynced(true);
    // Our cursor again, with a newer clock: the relay dropped our state when the previous connection ended and
    // ignores a state whose clock it has already seen.
    const state = this.awareness.getLocalState();
    if (state) this.awareness.setLocalState({ ...state });
  }

  #sendUpdate(update: Uint8Array): boolean {
    const parts = pieces(toBase64(update));
    for (let i = 0; i < parts.length; i++) {
      const more = i < parts.length - 1;
      const ok = this.send({ type: 'docUpdate', doc: this.name, update: parts[i] ?? '', ...(more ? { more: true as const } : {}) });
      if (!ok) {
        this.offline(); // not connected: it goes out with the answer to the next open()
        return false;
      }
    }
    return true;
  }

  #sendAwareness(awareness: Awareness, clients: number[]): void {
    this.send({ type: 'docAwareness', doc: this.name, update: toBase64(encodeAwarenessUpdate(awareness, clients)) });
  }

  #setSynced(synced: boolean): void {
    if (synced) this.everSynced = true;
    if (this.synced === synced) return;
    this.synced = synced;
    this.emit('status');
  }
}

/** One local copy of the document; reload() replaces it whole. */
interface LocalCopy {
  readonly ydoc: Y.Doc;
  readonly text: Y.Text;
  readonly awareness: Awareness;
  readonly undoManager: Y.UndoManager;
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}
