// The session's shared documents as the page sees them: the list the relay announces (`docList`), the ones this
// page has open (one DocSync each, kept open for the whole session so edits made offline in any of them merge
// on the next join), and the one shown in the editor (`plan` unless another is chosen). Follows the join
// client: every `joined` (re)opens them, a dropped connection leaves them editable offline, a new session or
// leaving starts over. When the relay refuses an update to one of them, that one is reloaded from the relay and
// the person is told why. No DOM.
import type { ClientMessage, DocInfo, ServerMessage } from '../signaling/protocol.js';
import type { JoinRequest, Notice, Phase } from './client-types.js';
import { DocSync, type DocServerMessage } from './doc-sync.js';
import { DEFAULT_DOC, isDocName, isRefusedUpdate, MAX_DOCS_PER_SESSION, userColor } from './doc-wire.js';
import { Emitter } from './emitter.js';
import { errorText, isMessageKey, t } from './i18n.js';

/** What the documents need of the join client (JoinClient; a stand-in in unit tests). */
export interface DocsClient {
  readonly phase: Phase;
  readonly request: JoinRequest | null;
  send(message: ClientMessage): boolean;
  on(event: 'message', listener: (m: ServerMessage) => void): unknown;
  on(event: 'change', listener: () => void): unknown;
}

export interface PageDocsEvents {
  /** The list, the open documents, the shown one, a document's sync state or its local copy changed. */
  change: [];
  /** Something to tell the person (a document reloaded after the relay refused a change). */
  notice: [Notice];
}

/** Why a new document cannot be made, or null when it can. */
export type NewDocProblem = 'doc_name_invalid' | 'doc_limit' | null;

export class PageDocs extends Emitter<PageDocsEvents> {
  /** What the relay last listed. */
  list: DocInfo[] = [];
  /** The document shown in the editor. */
  current = DEFAULT_DOC;
  readonly #open = new Map<string, DocSync>();
  #sessionId: string | null = null;

  constructor(private readonly client: DocsClient) {
    super();
    client.on('message', (m) => this.#onMessage(m));
    client.on('change', () => this.#followPhase());
  }

  /** The open document of that name, if this page has it. */
  get(name: string): DocSync | undefined {
    return this.#open.get(name);
  }

  /** The shown document (opened on the first join). */
  get shown(): DocSync | undefined {
    return this.#open.get(this.current);
  }

  /** Every document name known here: the relay's list and the ones opened on this page, `plan` first. */
  names(): string[] {
    const all = new Set([DEFAULT_DOC, ...this.list.map((d) => d.name), ...this.#open.keys()]);
    return [...all].sort((a, b) => (a === DEFAULT_DOC ? -1 : b === DEFAULT_DOC ? 1 : a.localeCompare(b)));
  }

  get online(): boolean {
    return this.client.phase === 'joined';
  }

  /** Whether `name` could be made a new document. */
  problemWith(name: string): NewDocProblem {
    if (!isDocName(name)) return 'doc_name_invalid';
    if (!this.names().includes(name) && this.names().length >= MAX_DOCS_PER_SESSION) return 'doc_limit';
    return null;
  }

  /** Show `name` in the editor, opening it (and so creating it at the relay when new). */
  select(name: string): void {
    if (!isDocName(name) || this.#sessionId === null) return;
    this.current = name;
    this.#ensureOpen(name);
    this.emit('change');
  }

  #onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'joined':
        return this.#joined(m.session.id);
      case 'docList':
        this.list = m.docs;
        return this.emit('change');
      case 'docSync':
      case 'docUpdate':
      case 'docAwareness':
        return this.#open.get(m.doc)?.handle(m satisfies DocServerMessage);
      case 'error':
        if (isRefusedUpdate(m)) return this.#refusedUpdate(m);
        // The relay will not open a document (too many, bad name): forget the ones it never answered.
        if (m.ref === 'docOpen' && (m.code === 'DOC_LIMIT' || m.code === 'DOC_NAME_BAD')) this.#dropUnanswered();
        return;
    }
  }

  /**
   * The relay has nothing of a change we sent (too large, unreadable): the document it names is reloaded from the
   * relay (our copy still has the change, which nobody else sees and every resync would send again) and the person
   * is told, with the reason. A refusal before an earlier reload's answer is of a change that reload dropped.
   */
  #refusedUpdate(m: Extract<ServerMessage, { type: 'error' }>): void {
    const name = m.params?.['doc'];
    const doc = typeof name === 'string' ? this.#open.get(name) : undefined;
    if (!doc) return this.emit('notice', { code: m.code, message: m.message }); // not ours to reload: just say so
    if (!doc.reload()) return;
    const key = `doc_refused.${m.code}`;
    const reason = isMessageKey(key) ? t(key) : errorText(m.code, m.message);
    this.emit('notice', { key: 'doc_reloaded', params: { name: doc.name, reason } });
  }

  /** After each join: a new session starts over, the same one (a reconnect) resyncs what is open. */
  #joined(sessionId: string): void {
    if (this.#sessionId !== sessionId) this.#reset();
    this.#sessionId = sessionId;
    for (const doc of this.#open.values()) doc.open();
    this.#ensureOpen(this.current);
    this.emit('change');
  }

  #followPhase(): void {
    const phase = this.client.phase;
    if (phase === 'idle' || phase === 'ended') {
      if (this.#sessionId !== null) this.#reset();
      return;
    }
    if (phase !== 'joined' && [...this.#open.values()].some((d) => d.synced)) {
      for (const doc of this.#open.values()) doc.offline();
      this.emit('change');
    }
  }

  #ensureOpen(name: string): void {
    if (this.#open.has(name)) return;
    const request = this.client.request;
    const user = { name: request?.name ?? '', color: userColor(`${request?.name ?? ''}\n${request?.venue ?? ''}`) };
    const doc = new DocSync(name, (m) => this.client.phase === 'joined' && this.client.send(m), user);
    doc.on('status', () => this.emit('change'));
    doc.on('reloaded', () => this.emit('change'));
    this.#open.set(name, doc);
    if (this.client.phase === 'joined') doc.open();
  }

  #dropUnanswered(): void {
    for (const [name, doc] of this.#open) {
      if (doc.everSynced || !this.online) continue;
      doc.close();
      this.#open.delete(name);
    }
    if (!this.#open.has(this.current)) {
      const listed = this.list[0]?.name;
      this.current = this.#open.keys().next().value ?? listed ?? DEFAULT_DOC;
      if (this.current === listed) this.#ensureOpen(listed);
    }
    this.emit('change');
  }

  #reset(): void {
    for (const doc of this.#open.values()) doc.close();
    this.#open.clear();
    this.list = [];
    this.current = DEFAULT_DOC;
    this.#sessionId = null;
    this.emit('change');
  }
}
