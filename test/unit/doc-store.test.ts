import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { DocRoom, type DocMember } from '../../src/relay/doc-room.js';
import { RelayObserver } from '../../src/relay/observer.js';
import { DocStore, type DocFile } from '../../src/store/doc-store.js';
import type { ServerMessage } from '../../src/signaling/protocol.js';
import { tempDir } from '../helpers/cli.js';

const SESSION = 'session-1';
/** Revision timing short enough for a test, long enough not to fire by itself in one. */
const TIMING = { quietMs: 60_000, burstMs: 60_000 };
/** Stores whose log is looked at after a close keep it as written (no compaction at close). */
const RAW_LOG = { compactOnClose: false } as const;
/** A short idle compaction time for the tests of it. */
const IDLE_MS = 200;
/** Deadline for a compaction the store owes by itself. */
const COMPACTION_DEADLINE_MS = 10_000;

const open: DocFile[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

/** A document as the relay keeps it: a Y.Doc (gc off) whose updates are appended to the store. */
async function loadDoc(store: DocStore, name = 'plan'): Promise<{ ydoc: Y.Doc; file: DocFile }> {
  const ydoc = new Y.Doc({ gc: false });
  const file = await store.open(SESSION, name, () => Y.encodeStateAsUpdate(ydoc));
  open.push(file);
  for (const u of file.loaded) Y.applyUpdate(ydoc, u, 'load');
  ydoc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'load' && file.append(u));
  return { ydoc, file };
}

function typeInto(ydoc: Y.Doc, text: string): void {
  // One update per character, as someone typing.
  const t = ydoc.getText('text');
  for (const ch of text) t.insert(t.length, ch);
}

describe('DocStore', () => {
  it('gives back, after a reload, every update appended', async () => {
    const dir = tempDir();
    const a = await loadDoc(new DocStore(dir, RAW_LOG));
    typeInto(a.ydoc, '第一课：认识分数');
    await a.file.close();
    const b = await loadDoc(new DocStore(dir));
    expect(b.ydoc.getText('text').toString()).toBe('第一课：认识分数');
    expect(b.file.loaded.length).toBe([...'第一课：认识分数'].length);
    expect(statSync(join(new DocStore(dir).dirOf(SESSION), 'plan.log')).mode & 0o777).toBe(0o600);
    expect(await new DocStore(dir).names(SESSION)).toEqual(['plan']);
  });

  it('cuts off a torn or damaged tail and keeps every record before it', async () => {
    const dir = tempDir();
    const a = await loadDoc(new DocStore(dir, RAW_LOG));
    typeInto(a.ydoc, 'intact');
    await a.file.close();
    const log = join(new DocStore(dir).dirOf(SESSION), 'plan.log');
    const good = statSync(log).size;
    // Half a record: a header announcing 100 bytes, then 3 of them (a crash in the middle of a write)…
    const header = Buffer.alloc(8);
    header.writeUInt32LE(100, 0);
    appendFileSync(log, Buffer.concat([header, Buffer.from([1, 2, 3])]));
    const b = await loadDoc(new DocStore(dir, RAW_LOG));
    expect(b.ydoc.getText('text').toString()).toBe('intact');
    expect(statSync(log).size).toBe(good);
    // …and garbage whose checksum does not match.
    typeInto(b.ydoc, '!');
    await b.file.close();
    const before = statSync(log).size;
    appendFileSync(log, Buffer.from('this is not a record at all, just garbage bytes'));
    const c = await loadDoc(new DocStore(dir));
    expect(c.ydoc.getText('text').toString()).toBe('intact!');
    expect(statSync(log).size).toBe(before);
    // Appending after the cut works as before.
    typeInto(c.ydoc, '?');
    await c.file.close();
    expect((await loadDoc(new DocStore(dir))).ydoc.getText('text').toString()).toBe('intact!?');
  });

  it('compacts past the record limit: the content stays, the log shrinks to nothing', async () => {
    const dir = tempDir();
    const store = new DocStore(dir, { compactRecords: 50, flushMs: 5, ...RAW_LOG });
    const a = await loadDoc(store);
    const text = '春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。'.repeat(5);
    typeInto(a.ydoc, text);
    await a.file.flush();
    await a.file.compact();
    expect(a.file.compactions).toBeGreaterThanOrEqual(1);
    const paths = join(store.dirOf(SESSION), 'plan');
    const logBytes = statSync(`${paths}.log`).size;
    expect(logBytes).toBe(0);
    expect(statSync(`${paths}.snapshot`).mode & 0o777).toBe(0o600);
    // Edits after the compaction go to the (new, short) log.
    typeInto(a.ydoc, '—完');
    await a.file.close();
    expect(statSync(`${paths}.log`).size).toBeGreaterThan(0);
    expect(statSync(`${paths}.log`).size).toBeLessThan(500);
    const b = await loadDoc(new DocStore(dir));
    expect(b.ydoc.getText('text').toString()).toBe(`${text}—完`);
  });

  it('compacts by itself once the log passes the byte limit', async () => {
    const dir = tempDir();
    const store = new DocStore(dir, { compactBytes: 4096, flushMs: 5 });
    const a = await loadDoc(store);
    typeInto(a.ydoc, 'x'.repeat(400));
    await a.file.flush();
    // The compaction the flush started runs after it, in order: one more flush waits for it.
    await a.file.flush();
    expect(a.file.compactions).toBeGreaterThanOrEqual(1);
    expect(a.file.logBytes).toBeLessThan(4096);
    expect(readFileSync(join(store.dirOf(SESSION), 'plan.log')).length).toBeLessThan(4096);
  });

  it('folds the log into the snapshot at a graceful close: the next load reads one snapshot', async () => {
    const dir = tempDir();
    const a = await loadDoc(new DocStore(dir));
    typeInto(a.ydoc, '第二课：');
    await a.file.compact();
    // Typed after the last compaction, long before the next one is due.
    typeInto(a.ydoc, '分数的大小');
    await a.file.close();
    expect(a.file.compactions).toBe(2);
    const paths = join(new DocStore(dir).dirOf(SESSION), 'plan');
    expect(statSync(`${paths}.log`).size).toBe(0);
    const b = await loadDoc(new DocStore(dir));
    expect(b.file.loaded).toHaveLength(1);
    expect(b.ydoc.getText('text').toString()).toBe('第二课：分数的大小');
    // Nothing new since: the close leaves the snapshot as it is.
    const written = statSync(`${paths}.snapshot`).mtimeMs;
    await b.file.close();
    expect(b.file.compactions).toBe(0);
    expect(statSync(`${paths}.snapshot`).mtimeMs).toBe(written);
  });

  it('compacts, once the idle time has passed again, what came while a compaction ran: the log ends empty', async () => {
    const dir = tempDir();
    const store = new DocStore(dir, { compactIdleMs: IDLE_MS, flushMs: 5 });
    const ydoc = new Y.Doc({ gc: false });
    // Someone types while the first compaction takes the document's state (after its state is taken).
    let meanwhile: string | undefined = '（续）';
    const file = await store.open(SESSION, 'plan', () => {
      const state = Y.encodeStateAsUpdate(ydoc);
      if (meanwhile !== undefined) typeInto(ydoc, meanwhile);
      meanwhile = undefined;
      return state;
    });
    open.push(file);
    ydoc.on('update', (u: Uint8Array) => file.append(u));
    typeInto(ydoc, '第三课');
    const log = join(store.dirOf(SESSION), 'plan.log');
    // The idle compaction comes by itself; what was typed during it lands in the log after it…
    await vi.waitFor(() => expect(file.compactions).toBe(1), { timeout: COMPACTION_DEADLINE_MS });
    expect(meanwhile).toBeUndefined();
    // …and, with nothing more appended, is folded in by the next idle compaction.
    await vi.waitFor(() => {
      expect(file.compactions).toBe(2);
      expect(statSync(log).size).toBe(0);
    }, { timeout: COMPACTION_DEADLINE_MS });
    const fromSnapshot = new Y.Doc();
    Y.applyUpdate(fromSnapshot, readFileSync(join(store.dirOf(SESSION), 'plan.snapshot')));
    expect(fromSnapshot.getText('text').toString()).toBe('第三课（续）');
  });

  it('keeps revisions: the text at each one comes back after a reload', async () => {
    const dir = tempDir();
    const observer = new RelayObserver();
    const cut: number[] = [];
    observer.on('docRevision', (_s, _d, rev) => cut.push(rev));
    const store = new DocStore(dir);
    const editor: DocMember = { id: 'p1', name: '王老师', send: (_m: ServerMessage) => undefined };
    const room = new DocRoom({ name: 'plan', sessionId: SESSION, observer, timing: TIMING, onChanged: () => undefined });
    room.load(await store.open(SESSION, 'plan', () => room.encodeState()));
    room.open(editor, new Uint8Array());
    const client = new Y.Doc();
    const send = (f: () => void) => {
      const before = Y.encodeStateVector(client);
      f();
      room.update(editor, Y.encodeStateAsUpdate(client, before));
    };
    send(() => client.getText('text').insert(0, '第一版'));
    expect(room.cutRevision()?.rev).toBe(1);
    send(() => client.getText('text').insert(3, '，改过'));
    send(() => client.getText('text').delete(0, 1));
    expect(room.cutRevision('import')?.rev).toBe(2);
    // Nothing changed since: no revision.
    expect(room.cutRevision()).toBeUndefined();
    await room.close();
    expect(cut).toEqual([1, 2]);

    const again = new DocRoom({ name: 'plan', sessionId: SESSION, observer, timing: TIMING, onChanged: () => undefined });
    again.load(await new DocStore(dir).open(SESSION, 'plan', () => again.encodeState()));
    const revisions = await again.history();
    expect(revisions.map((r) => [r.rev, r.by, r.chars, r.label])).toEqual([[1, ['王老师'], 3, undefined], [2, ['王老师'], 5, 'import']]);
    expect(await again.textAt(1)).toBe('第一版');
    expect(await again.textAt(2)).toBe('一版，改过');
    await expect(again.textAt(3)).rejects.toMatchObject({ code: 'DOC_REV_UNKNOWN' });
    expect(again.text.toString()).toBe('一版，改过');
    await again.close();
  });
});
