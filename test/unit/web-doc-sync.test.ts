// The join page's shared-document sync (src/web/doc-sync.ts) against a small in-memory stand-in for the relay's
// side of the protocol: two pages converge, long updates go out in pieces, edits made offline merge on the next
// open, and one's cursor comes back after a reconnect. Plus the wire helpers of src/web/doc-wire.ts.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { clientMessage, DOC_CHUNK_CHARS, DOC_NAME, MAX_DOCS_PER_SESSION, type ClientMessage, type ServerMessage } from '../../src/signaling/protocol.js';
import { DocSync } from '../../src/web/doc-sync.js';
import * as wire from '../../src/web/doc-wire.js';

/** One page's connection as the stand-in relay sees it. */
interface Conn {
  page: DocSync;
  online: boolean;
  open: boolean;
  clients: Set<number>;
  held: string[];
  sent: ClientMessage[];
}

/** The relay side of one document: applies, forwards to the other open connections, answers docOpen. */
class FakeRoom {
  readonly ydoc = new Y.Doc({ gc: false });
  readonly awareness = new Awareness(this.ydoc);
  readonly conns: Conn[] = [];

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
    const conn: Conn = { page: undefined as unknown as DocSync, online: true, open: false, clients: new Set(), held: [], sent: [] };
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

  #receive(conn: Conn, m: ClientMessage): boolean {
    if (!conn.online) return false;
    expect(clientMessage.safeParse(m).success, JSON.stringify(m).slice(0, 200)).toBe(true);
    expect(JSON.stringify(m).length).toBeLessThan(64 * 1024);
    conn.sent.push(m);
    switch (m.type) {
      case 'docOpen': {
        conn.open = true;
        const update = Y.encodeStateAsUpdate(this.ydoc, wire.fromBase64(m.sv));
        const sv = wire.toBase64(Y.encodeStateVector(this.ydoc));
        const parts = wire.pieces(wire.toBase64(update));
        parts.forEach((p, i) => conn.page.handle({ type: 'docSync', doc: 'plan', update: p, sv, ...(i < parts.length - 1 ? { more: true as const } : {}) }));
        const ids = [...this.awareness.getStates().keys()];
        conn.page.handle({ type: 'docAwareness', doc: 'plan', update: wire.toBase64(encodeAwarenessUpdate(this.awareness, ids)) });
        return true;
      }
      case 'docUpdate': {
        expect(conn.open).toBe(true);
        conn.held.push(m.update);
        if (m.more) return true;
        const whole = wire.fromBase64(conn.held.join(''));
        conn.held = [];
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
