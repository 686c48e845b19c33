// The join page's shared-document sync (src/web/doc-sync.ts) against a small in-memory stand-in for the relay's
// side of the protocol: two pages converge, long updates go out in pieces, edits made offline merge on the next
// open, and one's cursor comes back after a reconnect; a change the relay refuses is dropped with the page's copy,
// which is reloaded from the relay (PageDocs routes the refusal and tells the person). Plus the wire helpers of
// src/web/doc-wire.ts.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { clientMessage, DOC_CHUNK_CHARS, DOC_NAME, MAX_DOCS_PER_SESSION, type ClientMessage, type ServerMessage } from '../../src/signaling/protocol.js';
import type { Notice } from '../../src/web/client-types.js';
import { DocSync } from '../../src/web/doc-sync.js';
import * as wire from '../../src/web/doc-wire.js';
import { PageDocs, type DocsClient } from '../../src/web/docs.js';
import { Emitter } from '../../src/web/emitter.js';
import { t } from '../../src/web/i18n.js';

/** One page's connection as the stand-in relay sees it. */
interface Conn {
  page: DocSync;
  online: boolean;
  open: boolean;
  clients: Set<number>;
  held: string[];
  sent: ClientMessage[];
  /** docOpen answers wait in `answers` until release() (a relay that has not answered yet). */
  hold: boolean;
  answers: (() => void)[];
}

/** The relay side of one document: applies, forwards to the other open connections, answers docOpen. */
class FakeRoom {
  readonly ydoc = new Y.Doc({ gc: false });
  readonly awareness = new Awareness(this.ydoc);
  readonly conns: Conn[] = [];
  /** Refuse (apply nothing of) the updates for which this holds, like DOC_TOO_LARGE; they are counted. */
  refuse: ((update: Uint8Array) => boolean) | null = null;
  refused = 0;

  constructor() {
    this.awareness.setLocalState(null);
    rooms.push(this);
  }

  /** Close every page and the room (their awareness timers stop). */
  close(): void {
    for (const c of this.conns) c.page.close();
    this.ydoc.destroy();
  }

  connect(name: string): Conn {
    const conn: Conn = { page: undefined as unknown as DocSync, online: true, open: false, clients: new Set(), held: [], sent: [], hold: false, answers: [] };
    conn.page = new DocSync('plan', (m) => this.#receive(conn, m), { name, color: '#1f6feb' });
    this.conns.push(conn);
    return conn;
  }

  /** The connection drops: the relay forgets its pieces and removes its cursors for the others. */
  drop(conn: Conn): void {
    conn.online = false;
    conn.open = false;
    conn.held = [];
    const gone = [...conn.clients];
    removeAwarenessStates(this.awareness, gone, conn);
    this.#broadcast(conn, { type: 'docAwareness', doc: 'plan', update: wire.toBase64(encodeAwarenessUpdate(this.awareness, gone)) });
    conn.page.offline();
  }

  reconnect(conn: Conn): void {
    conn.online = true;
    conn.page.open();
  }

  /** Answer the docOpens held back for `conn`. */
  release(conn: Conn): void {
    conn.hold = false;
    for (const answer of conn.answers.splice(0)) answer();
  }

  #receive(conn: Conn, m: ClientMessage): boolean {
    if (!conn.online) return false;
    expect(clientMessage.safeParse(m).success, JSON.stringify(m).slice(0, 200)).toBe(true);
    expect(JSON.stringify(m).length).toBeLessThan(64 * 1024);
    conn.sent.push(m);
    switch (m.type) {
      case 'docOpen': {
        conn.open = true;
        if (conn.hold) conn.answers.push(() => this.#answerOpen(conn, m.sv));
        else this.#answerOpen(conn, m.sv);
        return true;
      }
      case 'docUpdate': {
        expect(conn.open).toBe(true);
        conn.held.push(m.update);
        if (m.more) return true;
        const whole = wire.fromBase64(conn.held.join(''));
        conn.held = [];
        if (this.refuse?.(whole)) {
          this.refused++;
          return true;
        }
        Y.applyUpdate(this.ydoc, whole, conn);
        this.#broadcast(conn, { type: 'docUpdate', doc: 'plan', update: wire.toBase64(whole) });
        return true;
      }
      case 'docAwareness': {
        const update = wire.fromBase64(m.update);
        applyAwarenessUpdate(this.awareness, update, conn);
        const d = new Y.Doc();
        const a = new Awareness(d);
        applyAwarenessUpdate(a, update, 'x');
        for (const id of a.getStates().keys()) if (id !== d.clientID) conn.clients.add(id);
        d.destroy();
        this.#broadcast(conn, m);
        return true;
      }
      default:
        return true;
    }
  }

  #answerOpen(conn: Conn, clientSv: string): void {
    const update = Y.encodeStateAsUpdate(this.ydoc, wire.fromBase64(clientSv));
    const sv = wire.toBase64(Y.encodeStateVector(this.ydoc));
    const parts = wire.pieces(wire.toBase64(update));
    parts.forEach((p, i) => conn.page.handle({ type: 'docSync', doc: 'plan', update: p, sv, ...(i < parts.length - 1 ? { more: true as const } : {}) }));
    const ids = [...this.awareness.getStates().keys()];
    conn.page.handle({ type: 'docAwareness', doc: 'plan', update: wire.toBase64(encodeAwarenessUpdate(this.awareness, ids)) });
  }

  #broadcast(from: Conn, m: Extract<ServerMessage, { type: 'docUpdate' | 'docAwareness' }>): void {
    for (const c of this.conns) if (c !== from && c.online && c.open) c.page.handle(m);
  }
}

const rooms: FakeRoom[] = [];
afterEach(() => {
  for (const r of rooms.splice(0)) r.close();
});

/** Names on the cursors a page sees from others. */
function othersNames(page: DocSync): string[] {
  const names: string[] = [];
  page.awareness.getStates().forEach((s, id) => {
    if (id !== page.ydoc.clientID) names.push((s as { user?: { name: string } }).user?.name ?? '?');
  });
  return names.sort();
}

describe('a shared document on the join page', () => {
  it('keeps two pages and the relay in step, both ways', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    const b = room.connect('王老师');
    a.page.open();
    b.page.open();
    expect(a.page.synced && b.page.synced).toBe(true);
    a.page.text.insert(0, '教学目标：');
    b.page.text.insert(b.page.text.length, '识字 12 个');
    expect(a.page.text.toString()).toBe(b.page.text.toString());
    expect(room.ydoc.getText('text').toString()).toBe(a.page.text.toString());
    expect(a.page.text.toString()).toContain('教学目标：');
    expect(a.page.text.toString()).toContain('识字 12 个');
    expect(othersNames(a.page)).toEqual(['王老师']);
    expect(othersNames(b.page)).toEqual(['李老师']);
  });

  it('sends an update longer than one frame in pieces of at most 48 KiB of base64', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    const b = room.connect('王老师');
    a.page.open();
    b.page.open();
    const big = Array.from({ length: 150_000 }, (_, i) => String.fromCharCode(0x4e00 + (i % 2000))).join('');
    a.page.text.insert(0, big);
    const updates = a.sent.filter((m): m is Extract<ClientMessage, { type: 'docUpdate' }> => m.type === 'docUpdate');
    expect(updates.length).toBeGreaterThan(2);
    expect(updates.slice(0, -1).every((m) => m.more === true && m.update.length === DOC_CHUNK_CHARS)).toBe(true);
    expect(updates.at(-1)?.more).toBeUndefined();
    expect(b.page.text.toString()).toBe(big);
  });

  it('keeps editing while offline and merges both sides on the next open', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    const b = room.connect('王老师');
    a.page.open();
    b.page.open();
    a.page.text.insert(0, 'line one\n');
    room.drop(b);
    expect(b.page.synced).toBe(false);
    expect(othersNames(a.page)).toEqual([]);
    b.page.text.insert(b.page.text.length, 'offline edit\n');
    b.page.text.delete(0, 5); // "line " goes: a deletion only the page knows
    a.page.text.insert(a.page.text.length, 'online edit\n');
    expect(a.page.text.toString()).not.toContain('offline edit');
    room.reconnect(b);
    expect(b.page.synced).toBe(true);
    for (const text of [a.page.text.toString(), b.page.text.toString(), room.ydoc.getText('text').toString()]) {
      expect(text).toContain('offline edit');
      expect(text).toContain('online edit');
      expect(text.startsWith('one\n')).toBe(true);
    }
    expect(a.page.text.toString()).toBe(b.page.text.toString());
    // The relay dropped B's cursor when the connection went: B's state comes back with a newer clock.
    expect(othersNames(a.page)).toEqual(['王老师']);
  });

  it('sends nothing after the relay answers when it has everything already', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    a.page.open();
    a.page.text.insert(0, 'hello');
    room.drop(a);
    room.reconnect(a);
    const afterReopen = a.sent.slice(a.sent.findLastIndex((m) => m.type === 'docOpen'));
    expect(afterReopen.filter((m) => m.type === 'docUpdate')).toEqual([]);
  });

  it('ignores a damaged message and stays usable', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    a.page.open();
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      a.page.handle({ type: 'docUpdate', doc: 'plan', update: 'AAAA////' });
    } finally {
      console.warn = warn;
    }
    a.page.text.insert(0, 'ok');
    expect(room.ydoc.getText('text').toString()).toBe('ok');
    a.page.close();
    a.page.close();
    expect(a.sent.at(-1)).toEqual({ type: 'docClose', doc: 'plan' });
  });
});

/** The page's docOpen messages so far. */
const opens = (conn: Conn) => conn.sent.filter((m): m is Extract<ClientMessage, { type: 'docOpen' }> => m.type === 'docOpen');
/** The state vector of an empty document: "send me everything". */
const EMPTY_SV = wire.toBase64(Y.encodeStateVector(new Y.Doc()));

describe('a change the relay refuses', () => {
  it('is dropped with the page’s copy: the page takes the relay’s text and never sends the change again', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    const b = room.connect('王老师');
    a.page.open();
    b.page.open();
    a.page.text.insert(0, '教学目标：');
    room.refuse = () => true;
    a.page.text.insert(a.page.text.length, '只在本页');
    room.refuse = null;
    expect(room.refused).toBe(1);
    expect(a.page.text.toString()).toBe('教学目标：只在本页'); // what the page showed before this fix, for good
    const old = { ydoc: a.page.ydoc, text: a.page.text, awareness: a.page.awareness, undoManager: a.page.undoManager };
    let reloaded = 0;
    a.page.on('reloaded', () => reloaded++);

    expect(a.page.reload()).toBe(true);
    expect(reloaded).toBe(1);
    // A new local copy, opened from nothing: the relay sends all it has.
    expect(a.page.ydoc).not.toBe(old.ydoc);
    expect(a.page.text).not.toBe(old.text);
    expect(a.page.awareness).not.toBe(old.awareness);
    expect(a.page.undoManager).not.toBe(old.undoManager);
    expect(opens(a).at(-1)?.sv).toBe(EMPTY_SV);
    expect(a.page.synced).toBe(true);
    expect(a.page.text.toString()).toBe('教学目标：');
    expect(a.page.text.toString()).toBe(b.page.text.toString());
    expect(room.ydoc.getText('text').toString()).toBe('教学目标：');
    // One cursor of A's at B (the old one went with the old copy).
    expect(othersNames(b.page)).toEqual(['李老师']);

    // A resync after a reconnect sends nothing: the page has nothing the relay lacks.
    room.drop(a);
    room.reconnect(a);
    const afterReopen = a.sent.slice(a.sent.findLastIndex((m) => m.type === 'docOpen'));
    expect(afterReopen.filter((m) => m.type === 'docUpdate')).toEqual([]);
    expect(room.refused).toBe(1);
    // Editing goes on in the new copy, and undo takes back only what was typed since.
    a.page.text.insert(a.page.text.length, '理解分数');
    expect(b.page.text.toString()).toBe('教学目标：理解分数');
    a.page.undoManager.undo();
    expect(b.page.text.toString()).toBe('教学目标：');
    expect(a.page.text.toString()).toBe('教学目标：');
  });

  it('reloads once for refusals that come before the relay has answered the reload', () => {
    const room = new FakeRoom();
    const a = room.connect('李老师');
    a.page.open();
    a.page.text.insert(0, '原文');
    a.hold = true;
    expect(a.page.reload()).toBe(true);
    expect(a.page.synced).toBe(false);
    expect(a.page.text.toString()).toBe('');
    // A second refusal of an update sent before the reload: that update went with the old copy already.
    expect(a.page.reload()).toBe(false);
    expect(opens(a)).toHaveLength(2);
    room.release(a);
    expect(a.page.text.toString()).toBe('原文');
    expect(a.page.synced).toBe(true);
    // Once answered, a later refusal reloads again.
    expect(a.page.reload()).toBe(true);
    expect(opens(a)).toHaveLength(3);
    expect(opens(a).at(-1)?.sv).toBe(EMPTY_SV);
  });
});

/** Stands in for the join client: PageDocs listens to its messages and phase and sends through it. */
class FakeJoinClient extends Emitter<{ message: [ServerMessage]; change: [] }> implements DocsClient {
  phase = 'joined' as const;
  request = { code: '482193775', name: '李老师', venue: '东山小学' };
  readonly sent: ClientMessage[] = [];

  send(m: ClientMessage): boolean {
    expect(clientMessage.safeParse(m).success, JSON.stringify(m).slice(0, 200)).toBe(true);
    this.sent.push(m);
    return true;
  }

  deliver(m: ServerMessage): void {
    this.emit('message', m);
  }
}

describe('the page’s documents when the relay refuses a change', () => {
  const session = { id: 's1', title: '公开课', kind: 'lesson', seats: 4, venues: ['东山小学'] };
  const tooLarge = (doc?: string): ServerMessage => ({
    type: 'error', code: 'DOC_TOO_LARGE', message: 'the document would be larger than 2097152 bytes', ref: 'docUpdate',
    params: { max: 2097152, ...(doc ? { doc } : {}) },
  });

  function joinedPage(): { client: FakeJoinClient; docs: PageDocs; notices: Notice[]; relayDoc: Y.Doc; answer: () => void } {
    const client = new FakeJoinClient();
    const docs = new PageDocs(client);
    const notices: Notice[] = [];
    docs.on('notice', (n) => notices.push(n));
    const relayDoc = new Y.Doc({ gc: false });
    relayDoc.getText('text').insert(0, '原文');
    /** Answer the page's latest docOpen of the plan as the relay does. */
    const answer = () => {
      const open = client.sent.filter((m): m is Extract<ClientMessage, { type: 'docOpen' }> => m.type === 'docOpen').at(-1)!;
      const update = wire.toBase64(Y.encodeStateAsUpdate(relayDoc, wire.fromBase64(open.sv)));
      client.deliver({ type: 'docSync', doc: 'plan', update, sv: wire.toBase64(Y.encodeStateVector(relayDoc)) });
    };
    client.deliver({ type: 'joined', peerId: 'me', role: 'viewer', session });
    answer();
    return { client, docs, notices, relayDoc, answer };
  }

  it('reloads the document the refusal names and says why, in both languages', () => {
    const { client, docs, notices, answer } = joinedPage();
    const plan = docs.get('plan')!;
    expect(plan.text.toString()).toBe('原文');
    plan.text.insert(2, '太长的修改');
    expect(client.sent.at(-1)?.type).toBe('docUpdate');
    let changes = 0;
    docs.on('change', () => changes++);

    client.deliver(tooLarge('plan'));
    expect(changes).toBeGreaterThan(0);
    expect(docs.get('plan')).toBe(plan);
    expect(plan.text.toString()).toBe('');
    const open = client.sent.at(-1);
    expect(open).toEqual({ type: 'docOpen', doc: 'plan', sv: EMPTY_SV });
    const reason = t('doc_refused.DOC_TOO_LARGE');
    expect(notices).toEqual([{ key: 'doc_reloaded', params: { name: 'plan', reason } }]);
    const zh = t('doc_reloaded', { name: 'plan', reason: t('doc_refused.DOC_TOO_LARGE', {}, 'zh') }, 'zh');
    const en = t('doc_reloaded', { name: 'plan', reason: t('doc_refused.DOC_TOO_LARGE', {}, 'en') }, 'en');
    expect(zh).toContain('重新载入');
    expect(zh).toContain('2 MB');
    expect(en).toContain('reloaded from the relay');
    expect(en).toContain('over 2 MB');

    // Refusals of updates sent before the reload change nothing more; the relay's answer brings its text.
    client.deliver({ type: 'error', code: 'DOC_UPDATE_BAD', message: 'unreadable', ref: 'docUpdate', params: { detail: 'x', doc: 'plan' } });
    expect(notices).toHaveLength(1);
    answer();
    expect(plan.text.toString()).toBe('原文');
    expect(plan.synced).toBe(true);
    docs.get('plan')?.close();
  });

  it('only tells the person when the refusal names no open document', () => {
    const { client, docs, notices } = joinedPage();
    const plan = docs.get('plan')!;
    plan.text.insert(0, '留着');
    const sent = client.sent.length;
    client.deliver(tooLarge());
    client.deliver(tooLarge('summary'));
    expect(notices).toEqual([
      { code: 'DOC_TOO_LARGE', message: 'the document would be larger than 2097152 bytes' },
      { code: 'DOC_TOO_LARGE', message: 'the document would be larger than 2097152 bytes' },
    ]);
    expect(client.sent.length).toBe(sent);
    expect(plan.text.toString()).toBe('留着原文');
    expect(wire.isRefusedUpdate({ code: 'DOC_TOO_LARGE', ref: 'docOpen' })).toBe(false);
    expect(wire.isRefusedUpdate({ code: 'DOC_NOT_OPEN', ref: 'docUpdate' })).toBe(false);
    plan.close();
  });
});

describe('document wire helpers of the page', () => {
  it('agree with the protocol limits', () => {
    expect(wire.DOC_NAME.source).toBe(DOC_NAME.source);
    expect(wire.DOC_CHUNK_CHARS).toBe(DOC_CHUNK_CHARS);
    expect(wire.MAX_DOCS_PER_SESSION).toBe(MAX_DOCS_PER_SESSION);
  });

  it('round-trips base64 like Node does', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256); // more than one 32 KiB slice
    const text = wire.toBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(wire.fromBase64(text)).equals(Buffer.from(bytes))).toBe(true);
    expect(wire.toBase64(new Uint8Array())).toBe('');
  });

  it('cuts and joins pieces', () => {
    expect(wire.pieces('abcdefgh', 4)).toEqual(['abcd', 'efgh']);
    expect(wire.pieces('', 4)).toEqual(['']);
    const joiner = new wire.PieceJoiner<'u'>();
    expect(joiner.add('u', 'ab', true)).toBeNull();
    expect(joiner.add('u', 'cd', undefined)).toBe('abcd');
    expect(joiner.add('u', 'x', true)).toBeNull();
    joiner.clear();
    expect(joiner.add('u', 'y', undefined)).toBe('y');
  });

  it('checks names and gives a person the same colour every time', () => {
    expect(['plan', 'summary-2', '0'].every(wire.isDocName)).toBe(true);
    expect(['', 'Plan', '-x', 'a'.repeat(33), '计划', 'a b'].some(wire.isDocName)).toBe(false);
    expect(wire.userColor('李老师\n西河小学')).toBe(wire.userColor('李老师\n西河小学'));
    expect(wire.userColor('x')).toMatch(/^#[0-9a-f]{6}$/);
  });
});
