// Shared documents through a real (in-process) relay, edited by headless DocReplica clients over WebSockets:
// concurrent edits converge, offline edits merge on reconnect, bad updates are refused without harm, big updates
// travel in pieces, cursors of people who leave disappear, and the limits answer with their own codes. An editor
// whose update is refused drops its copy and takes the relay's again, so the refused change is not sent again.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_DOC_TIMING } from '../../src/relay/doc-room.js';
import { DOC_CHUNK_CHARS, MAX_DOC_BYTES, MAX_DOCS_PER_SESSION, MAX_MESSAGE_BYTES, type ServerMessage } from '../../src/signaling/protocol.js';
import { DocClient, relayText } from '../helpers/doc-client.js';
import { createSession, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

/** Revision timing of the automatic-revision tests: short, yet far longer than a loopback round trip. */
const QUIET_MS = 1000;
const BURST_MS = 2500;
/** The scenario's typing pace: a character this often, well inside QUIET_MS, so the burst goes on. */
const TYPING_INTERVAL_MS = 100;
/** Deadline for a revision the timing calls for to be cut. */
const REVISION_MS = 20_000;
/** Timers and Date.now() may disagree by a millisecond or so. */
const CLOCK_SLACK_MS = 5;

async function editor(r: TestRelay, code: string, name: string, extra: { doc?: string; listed?: boolean } = {}): Promise<DocClient> {
  const c = await DocClient.connect({ url: r.running.url, ca: r.ca, code, name, ...extra });
  cleanups.push(() => c.close());
  return c;
}

/** The relay's own copy of a document. */
/** The plan's revisions as the relay cuts them, each with the relay's text at that moment. */
function revisionsCut(r: TestRelay, sessionId: string): { rev: number; text: string | undefined }[] {
  const cut: { rev: number; text: string | undefined }[] = [];
  const on = (sid: string, doc: string, rev: number) => {
    if (sid === sessionId && doc === 'plan') cut.push({ rev, text: relayText(r, sessionId) });
  };
  r.running.relay.observer.on('docRevision', on);
  cleanups.push(() => void r.running.relay.observer.off('docRevision', on));
  return cut;
}

/** The scenario's pace between two keystrokes (not a wait for anything). */
const nextKeystroke = () => new Promise((resolve) => setTimeout(resolve, TYPING_INTERVAL_MS));

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
    const reloaded: string[] = [];
    a.replica.on('reloaded', (m) => reloaded.push(m.code));
    a.client.send({ type: 'docUpdate', doc: 'plan', update: Buffer.from('this is not a yjs update').toString('base64') });
    const err = await a.errorCode('DOC_UPDATE_BAD');
    expect(err.ref).toBe('docUpdate');
    expect(err.params).toMatchObject({ doc: 'plan' });
    // Ordering barrier: the relay answered a's next request after dealing with the bad one (and the reload's open).
    expect(await a.replica.history()).toEqual([]);
    expect(relayText(r, s.id)).toBe('原文');
    // The refusal names the document: a took the relay's copy again.
    expect(reloaded).toEqual(['DOC_UPDATE_BAD']);
    expect(a.replica.isSynced).toBe(true);
    expect(a.text).toBe('原文');
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

  it('refuses an update that would take the document past 2 MiB (DOC_TOO_LARGE): the document and the others stay as they were', async () => {
    const r = await relay();
    const s = await createSession(r);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师');
    // Well under the limit: accepted, in pieces.
    const first = '一'.repeat(Math.floor((0.65 * MAX_DOC_BYTES) / 3)); // ≈ 1.3 MiB of UTF-8
    a.replica.replaceText(first);
    await b.replica.textWhere((t) => t.length === first.length, 30_000);
    await until(() => relayText(r, s.id) === first, 'the first part at the relay');
    const room = r.running.relay.sessions.get(s.id)!.docs.room('plan')!;
    const stateBefore = room.encodeState();
    const updatesAtB = b.received.filter((m) => m.type === 'docUpdate').length;
    const events: string[] = [];
    a.replica.on('refused', (m) => events.push(`refused:${m.code}`));
    a.replica.on('reloaded', (m) => events.push(`reloaded:${m.code}`));

    // Within the per-update cap of the wire, but together with the document over 2 MiB.
    const second = '二'.repeat(Math.floor((0.45 * MAX_DOC_BYTES) / 3)); // ≈ 0.9 MiB
    a.replica.text.insert(a.replica.text.length, second);
    const err = await a.errorCode('DOC_TOO_LARGE', 30_000);
    expect(err.ref).toBe('docUpdate');
    expect(err.params).toMatchObject({ max: MAX_DOC_BYTES, doc: 'plan' });
    // Ordering barrier: the relay answered a's next request after refusing the update (and a's reload's open).
    expect(await a.replica.history()).toEqual([]);
    expect(relayText(r, s.id)).toBe(first);
    expect(Buffer.from(room.encodeState()).equals(Buffer.from(stateBefore))).toBe(true);
    expect(room.encodeState().byteLength).toBeLessThanOrEqual(MAX_DOC_BYTES);
    expect(b.text).toBe(first);
    expect(b.received.filter((m) => m.type === 'docUpdate').length).toBe(updatesAtB);
    // The refusing editor dropped its copy (with the refused change) and took the relay's.
    expect(events).toEqual(['refused:DOC_TOO_LARGE', 'reloaded:DOC_TOO_LARGE']);
    expect(a.replica.isSynced).toBe(true);
    expect(a.text).toBe(first);
    expect(a.text).toBe(b.text);

    // The document goes on working for the others (a included), and a newcomer gets it as the relay kept it.
    b.replica.text.insert(0, '【标题】');
    await until(() => relayText(r, s.id) === `【标题】${first}`, 'b’s edit at the relay');
    await a.replica.textWhere((t) => t === `【标题】${first}`, 30_000);
    const c = await editor(r, s.code, '赵老师');
    expect(c.text).toBe(`【标题】${first}`);

    // A reconnect resyncs without sending the refused change again: a has nothing the relay lacks.
    const sentBefore = a.sent.length;
    const errorsBefore = a.received.filter((m) => m.type === 'error').length;
    await a.reconnect();
    expect(await a.replica.history()).toEqual([]); // ordering barrier: anything sent on resync has been answered
    expect(a.sent.slice(sentBefore).filter((m) => m.type === 'docUpdate')).toEqual([]);
    expect(a.received.filter((m) => m.type === 'error').length).toBe(errorsBefore);
    expect(relayText(r, s.id)).toBe(`【标题】${first}`);
    expect(a.text).toBe(`【标题】${first}`);
    // a edits on as usual.
    a.replica.text.insert(0, '甲');
    await b.replica.textWhere((t) => t === `甲【标题】${first}`, 30_000);
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

describe('automatic revisions', () => {
  it('cuts one revision once a burst of edits has gone quiet, by everyone who edited, with the text of then', async () => {
    const r = await relay({ docTiming: { quietMs: QUIET_MS, burstMs: DEFAULT_DOC_TIMING.burstMs } });
    const s = await createSession(r);
    const cut = revisionsCut(r, s.id);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师');
    // Both type, taking turns, for twice the quiet time: the document is never quiet that long meanwhile.
    const started = Date.now();
    let typed = 0;
    let last = started;
    while (Date.now() - started < 2 * QUIET_MS) {
      const who = typed % 2 === 0 ? a : b;
      who.replica.text.insert(who.replica.text.length, typed % 2 === 0 ? '甲' : '乙');
      typed++;
      last = Date.now();
      await nextKeystroke();
    }
    await until(() => relayText(r, s.id)?.length === typed, 'every keystroke at the relay');
    const final = relayText(r, s.id)!;
    await until(() => cut.length > 0, 'a revision', REVISION_MS);

    const revisions = await b.replica.history();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ rev: 1, by: ['李老师', '王老师'], chars: typed });
    expect(revisions[0]!.label).toBeUndefined();
    // Cut after the quiet time, counted from the last keystroke (not from the first one).
    expect(Date.parse(revisions[0]!.at) - last).toBeGreaterThanOrEqual(QUIET_MS - CLOCK_SLACK_MS);
    expect(cut).toEqual([{ rev: 1, text: final }]);
    expect(await a.replica.textAt(1)).toBe(final);
  });

  it('cuts a revision in the middle of continuous editing once it has gone on for the burst time', async () => {
    const r = await relay({ docTiming: { quietMs: QUIET_MS, burstMs: BURST_MS } });
    const s = await createSession(r);
    const cut = revisionsCut(r, s.id);
    const a = await editor(r, s.code, '王老师');
    const b = await editor(r, s.code, '李老师');
    const started = Date.now();
    let previous = started;
    let longestPause = 0;
    const keystroke = async () => {
      a.replica.text.insert(a.replica.text.length, 'x');
      const now = Date.now();
      longestPause = Math.max(longestPause, now - previous);
      previous = now;
      await nextKeystroke();
    };
    // Typing on without a pause until the relay cuts a revision…
    while (cut.length === 0) {
      if (Date.now() - started > BURST_MS + REVISION_MS) throw new Error('no revision while typing on');
      await keystroke();
    }
    // …and a little more after it, then quiet.
    for (let i = 0; i < 5; i++) await keystroke();
    const typed = a.replica.text.length;
    await until(() => cut.length === 2, 'the revision after the quiet time', REVISION_MS);

    // Never quiet long enough for a quiet-time revision: the first one is the burst's.
    expect(longestPause).toBeLessThan(QUIET_MS);
    const revisions = await b.replica.history();
    expect(revisions.map((x) => [x.rev, x.by])).toEqual([[1, ['王老师']], [2, ['王老师']]]);
    expect(Date.parse(revisions[0]!.at) - started).toBeGreaterThanOrEqual(BURST_MS - CLOCK_SLACK_MS);
    const atFirst = cut[0]!.text!;
    expect(atFirst.length).toBe(revisions[0]!.chars);
    expect(atFirst.length).toBeLessThan(typed);
    expect(await b.replica.textAt(1)).toBe(atFirst);
    expect(revisions[1]!.chars).toBe(typed);
    expect(await b.replica.textAt(2)).toBe('x'.repeat(typed));
    expect(cut[1]!.text).toBe('x'.repeat(typed));
  });
});
