// Shared documents through a real (in-process) relay, edited by headless DocReplica clients over WebSockets:
// concurrent edits converge, offline edits merge on reconnect, bad updates are refused without harm, big updates
// travel in pieces, cursors of people who leave disappear, and the limits answer with their own codes.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOC_CHUNK_CHARS, MAX_DOCS_PER_SESSION, MAX_MESSAGE_BYTES, type ServerMessage } from '../../src/signaling/protocol.js';
import { DocClient } from '../helpers/doc-client.js';
import { createSession, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function editor(r: TestRelay, code: string, name: string, extra: { doc?: string; listed?: boolean } = {}): Promise<DocClient> {
  const c = await DocClient.connect({ url: r.running.url, ca: r.ca, code, name, ...extra });
  cleanups.push(() => c.close());
  return c;
}

/** The relay's own copy of a document. */
function relayText(r: TestRelay, sessionId: string, doc = 'plan'): string | undefined {
  return r.running.relay.sessions.get(sessionId)?.docs.room(doc)?.text.toString();
}

describe('shared documents at the relay', () => {
  it('merges two people typing at the same time: both edits are kept, in the same order everywhere', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师', { listed: true });
    a.replica.text.insert(0, '教学目标：');
    await b.replica.textWhere((t) => t === '教学目标：');
    // Concurrent: neither has seen the other's edit when making its own.
    a.replica.text.insert(5, '理解分数');
    b.replica.text.insert(5, '会比较大小');
    const both = (t: string) => t.includes('理解分数') && t.includes('会比较大小');
    await a.replica.textWhere(both);
    await b.replica.textWhere(both);
    expect(a.text).toBe(b.text);
    await until(() => relayText(r, s.id) === a.text, 'the relay’s copy');
  });

  it('merges edits made while disconnected once the editor reopens on a new connection', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师');
    a.replica.text.insert(0, '一、导入\n');
    await b.replica.textWhere((t) => t === '一、导入\n');

    b.client.close();
    // Offline: b writes, and so does a (online) meanwhile.
    b.replica.text.insert(b.replica.text.length, '二、新授（离线写的）\n');
    a.replica.text.insert(0, '【标题】\n');
    await until(() => relayText(r, s.id) === '【标题】\n一、导入\n', 'a’s edit at the relay');
    await b.reconnect();

    const all = (t: string) => t.includes('【标题】') && t.includes('一、导入') && t.includes('二、新授（离线写的）');
    await a.replica.textWhere(all);
    await b.replica.textWhere(all);
    expect(a.text).toBe(b.text);
    await until(() => relayText(r, s.id) === a.text, 'the relay’s copy');
  });

  it('refuses an update that does not decode (DOC_UPDATE_BAD) and changes nothing', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师');
    a.replica.text.insert(0, '原文');
    await b.replica.textWhere((t) => t === '原文');
    const updatesAtB = b.received.filter((m) => m.type === 'docUpdate').length;
    a.client.send({ type: 'docUpdate', doc: 'plan', update: Buffer.from('this is not a yjs update').toString('base64') });
    const err = await a.errorCode('DOC_UPDATE_BAD');
    expect(err.ref).toBe('docUpdate');
    // Ordering barrier: the relay answered a's next request after dealing with the bad one.
    expect(await a.replica.history()).toEqual([]);
    expect(relayText(r, s.id)).toBe('原文');
    expect(b.received.filter((m) => m.type === 'docUpdate').length).toBe(updatesAtB);
    // The document goes on working.
    a.replica.text.insert(2, '（续）');
    await b.replica.textWhere((t) => t === '原文（续）');
  });

  it('carries an update larger than a frame in pieces (Chinese text), intact at the relay and the other editor', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师');
    const line = '春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。🌸\n';
    const big = line.repeat(4000); // ≈ 340 KB of UTF-8
    const sent: number[] = [];
    const send = a.client.send.bind(a.client);
    a.client.send = (m) => {
      if (m.type === 'docUpdate') sent.push(Buffer.byteLength(JSON.stringify(m)));
      send(m);
    };
    a.replica.replaceText(big, { label: 'import' });
    expect(sent.length).toBeGreaterThan(1);
    expect(Math.max(...sent)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(Math.max(...sent)).toBeGreaterThan(DOC_CHUNK_CHARS);
    const atB = await b.replica.textWhere((t) => t.length === big.length, 30_000);
    expect(atB).toBe(big);
    expect(b.received.filter((m) => m.type === 'docUpdate' && m.more).length).toBeGreaterThan(0);
    expect(relayText(r, s.id)).toBe(big);
    // The labelled update cut a revision; its text comes back in pieces too.
    const revisions = await b.replica.history();
    expect(revisions).toMatchObject([{ rev: 1, by: ['王老师'], chars: big.length, label: 'import' }]);
    expect(await b.replica.textAt(1)).toBe(big);
    // A newcomer gets it all in its first sync.
    const c = await editor(r, s.code, '赵老师');
    expect(c.text).toBe(big);
  });

  it('removes the cursor of someone who leaves, for everyone still there', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师', { listed: true });
    const b = await editor(r, s.code, '李老师');
    const names = (c: DocClient) => [...c.replica.awareness.getStates().values()].map((st) => (st as { user?: { name: string } }).user?.name).filter(Boolean).sort();
    await until(() => names(b).includes('王老师') && names(a).includes('李老师'), 'each other’s cursors');
    a.client.close();
    await until(() => !names(b).includes('王老师'), 'the leaver’s cursor to go');
    expect(names(b)).toEqual(['李老师']);
  });

  it('lists the documents, answers bad names, the limit, and updates to documents not opened with their codes', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师');
    await until(() => a.received.some((m) => m.type === 'docList' && m.docs.some((d) => d.name === 'plan')), 'plan in the list');

    a.client.send({ type: 'docOpen', doc: 'Bad Name', sv: '' });
    expect((await a.errorCode('DOC_NAME_BAD')).ref).toBe('docOpen');
    a.client.send({ type: 'docUpdate', doc: 'summary', update: Buffer.from(Y.encodeStateAsUpdate(new Y.Doc())).toString('base64') });
    expect((await a.errorCode('DOC_NOT_OPEN')).ref).toBe('docUpdate');
    a.client.send({ type: 'docRevision', doc: 'plan', rev: 9 });
    await a.errorCode('DOC_REV_UNKNOWN');

    for (let i = 2; i <= MAX_DOCS_PER_SESSION; i++) await editor(r, s.code, `老师${i}`, { doc: `doc-${i}` });
    const lists = a.received.filter((m): m is Extract<ServerMessage, { type: 'docList' }> => m.type === 'docList');
    await until(() => (a.received.filter((m) => m.type === 'docList').at(-1) as typeof lists[number]).docs.length === MAX_DOCS_PER_SESSION, 'all documents in the list');
    a.client.send({ type: 'docOpen', doc: 'one-too-many', sv: '' });
    expect((await a.errorCode('DOC_LIMIT')).params).toMatchObject({ max: MAX_DOCS_PER_SESSION });
    // An existing one still opens.
    const again = await editor(r, s.code, '钱老师', { doc: 'doc-2' });
    expect(again.replica.isSynced).toBe(true);
  });

  it('refuses doc messages from a connection that has not joined', async () => {
    const r = await relay();
    await createSession(r);
    const ws = new WebSocket(`${r.running.url.replace(/^http/, 'ws')}/ws`, { ca: r.ca });
    cleanups.push(() => ws.close());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answers: ServerMessage[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(String(d)) as ServerMessage));
    ws.send(JSON.stringify({ type: 'docOpen', doc: 'plan', sv: '' }));
    ws.send(JSON.stringify({ type: 'docUpdate', doc: 'plan', update: 'AAA=' }));
    await until(() => answers.length >= 2, 'two answers');
    expect(answers.map((m) => (m.type === 'error' ? `${m.code}:${m.ref}` : m.type))).toEqual(['NOT_JOINED:docOpen', 'NOT_JOINED:docUpdate']);
  });
});
