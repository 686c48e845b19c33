// The join page's shared-document panel against a scripted relay socket: it opens `plan` once joined and shows
// what the relay sends, sends what is typed, lists the session's documents as tabs, makes a new one, refuses a
// bad name in the page's language, and keeps typing while the connection is down — sent after the rejoin. When the
// relay refuses a change, the page reloads the document from the relay into a new editor and says so.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as Y from 'yjs';
import { waitForState, waitForText } from '../helpers/browser.js';
import { joinPage, usePageFixture } from '../helpers/join-page.js';
import type { FakeRelay, PageSocket } from '../helpers/web-relay.js';
import { SESSION } from '../helpers/join-page.js';

let relay: FakeRelay;
let browser: Browser;
usePageFixture((r, b) => {
  relay = r;
  browser = b;
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

interface DocHook {
  __jiaoyan: { doc: { text(name: string): string | null; ready(name: string): boolean } };
}

/** Answer the page's next `docOpen` of `name` the way the relay does, from `relayDoc`. */
async function answerOpen(ws: PageSocket, relayDoc: Y.Doc, name = 'plan'): Promise<void> {
  const open = await ws.next('docOpen');
  expect(open.doc).toBe(name);
  ws.send({ type: 'docSync', doc: name, update: b64(Y.encodeStateAsUpdate(relayDoc, bytes(open.sv))), sv: b64(Y.encodeStateVector(relayDoc)) });
}

/** Apply the page's `docUpdate`s to `relayDoc` until its text satisfies `done`. */
async function takeUpdates(ws: PageSocket, relayDoc: Y.Doc, done: (text: string) => boolean): Promise<void> {
  while (!done(relayDoc.getText('text').toString())) {
    const held: string[] = [];
    for (;;) {
      const m = await ws.next('docUpdate');
      held.push(m.update);
      if (!m.more) break;
    }
    Y.applyUpdate(relayDoc, bytes(held.join('')));
  }
}

/** Read the page's `docUpdate`s (without applying them to the relay's copy) until `seen` holds for the text. */
async function readUpdates(ws: PageSocket, from: Y.Doc, seen: (text: string) => boolean): Promise<void> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(from));
  await takeUpdates(ws, copy, seen);
  copy.destroy();
}

function docReady(page: Page, name: string): Promise<unknown> {
  return page.waitForFunction((n) => (globalThis as unknown as DocHook).__jiaoyan.doc.ready(n), name);
}

describe('shared document panel', () => {
  it('opens the plan, shows its text, and sends what is typed', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { locale: 'zh-CN' });
    const relayDoc = new Y.Doc();
    relayDoc.getText('text').insert(0, '教学目标：\n');
    await answerOpen(ws, relayDoc);
    await docReady(page, 'plan');
    await waitForText(page, '#doc-status', '已同步');
    await page.locator('#doc-editor .cm-content').filter({ hasText: '教学目标：' }).waitFor();
    expect(await page.locator('#doc-tabs .doc-tab').allTextContents()).toEqual(['plan']);
    await page.click('#doc-editor .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('认识 12 个生字');
    await takeUpdates(ws, relayDoc, (t) => t.includes('认识 12 个生字'));
    expect(relayDoc.getText('text').toString()).toBe('教学目标：\n认识 12 个生字');
    // Undo takes back one's own typing, not what came from the relay.
    await page.keyboard.press('Control+z');
    await takeUpdates(ws, relayDoc, (t) => !t.includes('认识'));
    expect(relayDoc.getText('text').toString()).toBe('教学目标：\n');
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the documents as tabs, switches between them and makes a new one', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    const plan = new Y.Doc();
    await answerOpen(ws, plan);
    ws.send({ type: 'docList', docs: [{ name: 'plan', chars: 0, updatedAt: '2025-03-01T08:00:00.000Z' }, { name: 'summary', chars: 5, updatedAt: '2025-03-01T08:05:00.000Z' }] });
    await page.locator('#doc-tabs [data-doc=summary]').waitFor();
    expect(await page.locator('#doc-tabs .doc-tab').allTextContents()).toEqual(['plan', 'summary']);
    await page.click('#doc-tabs [data-doc=summary]');
    const summary = new Y.Doc();
    summary.getText('text').insert(0, 'notes');
    await answerOpen(ws, summary, 'summary');
    await page.locator('#doc-editor .cm-content').filter({ hasText: 'notes' }).waitFor();
    expect(await page.locator('#doc-tabs [data-doc=summary]').getAttribute('aria-selected')).toBe('true');
    // A name the relay would refuse is refused here first, in the page's language.
    await page.fill('#doc-new-name', 'Reflexión');
    await page.click('#doc-new');
    await waitForText(page, '#doc-new-error', 'Use a-z, 0-9 and “-” (at most 32 characters), e.g. summary');
    await page.fill('#doc-new-name', 'reflection');
    await page.click('#doc-new');
    await answerOpen(ws, new Y.Doc(), 'reflection');
    await docReady(page, 'reflection');
    expect(await page.locator('#doc-tabs .doc-tab').allTextContents()).toEqual(['plan', 'reflection', 'summary']);
    expect(await page.locator('#doc-new-error').isHidden()).toBe(true);
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('goes back to the documents it has when the relay refuses a new one', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    await answerOpen(ws, new Y.Doc());
    await docReady(page, 'plan');
    await page.fill('#doc-new-name', 'ninth');
    await page.press('#doc-new-name', 'Enter');
    expect((await ws.next('docOpen')).doc).toBe('ninth');
    ws.send({ type: 'error', code: 'DOC_LIMIT', message: 'too many documents', ref: 'docOpen' });
    await waitForText(page, '#notices .banner span', 'A session has at most 8 documents');
    await page.locator('#doc-tabs [data-doc=ninth]').waitFor({ state: 'detached' });
    expect(await page.locator('#doc-tabs .doc-tab').allTextContents()).toEqual(['plan']);
    expect(await page.locator('#doc-tabs [data-doc=plan]').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as DocHook).__jiaoyan.doc.text('ninth'))).toBeNull();
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reloads the document from the relay when it refuses a change, says why, and edits on in the new copy', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    const relayDoc = new Y.Doc();
    relayDoc.getText('text').insert(0, '教学目标：\n');
    await answerOpen(ws, relayDoc);
    await docReady(page, 'plan');
    await page.click('#doc-editor .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('refused');
    await readUpdates(ws, relayDoc, (t) => t.includes('refused'));
    await page.locator('#doc-editor .cm-content').filter({ hasText: 'refused' }).waitFor();
    // The relay keeps none of it.
    ws.send({ type: 'error', code: 'DOC_TOO_LARGE', message: 'the document would be larger than 2097152 bytes', ref: 'docUpdate', params: { max: 2097152, doc: 'plan' } });
    const open = await ws.next('docOpen');
    expect(open).toEqual({ type: 'docOpen', doc: 'plan', sv: b64(Y.encodeStateVector(new Y.Doc())) });
    ws.send({ type: 'docSync', doc: 'plan', update: b64(Y.encodeStateAsUpdate(relayDoc)), sv: b64(Y.encodeStateVector(relayDoc)) });
    await page.waitForFunction(() => (globalThis as unknown as DocHook).__jiaoyan.doc.text('plan') === '教学目标：\n');
    await page.locator('#doc-editor .cm-content').filter({ hasText: '教学目标：' }).waitFor();
    expect(await page.locator('#doc-editor .cm-content').textContent()).not.toContain('refused');
    await waitForText(page, '#notices .banner span', 'The relay refused your change to “plan” (the document would be over 2 MB), so the document was reloaded from the relay — edits it had not received are lost');
    expect(await page.locator('#notices .banner').count()).toBe(1); // not also the bare "was not kept"
    await waitForText(page, '#doc-status', 'In sync');
    // The editor is bound to the new copy: typing reaches the relay, undo takes back only that.
    await page.click('#doc-editor .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('kept');
    await takeUpdates(ws, relayDoc, (t) => t.includes('kept'));
    expect(relayDoc.getText('text').toString()).toBe('教学目标：\nkept');
    await page.keyboard.press('Control+z');
    await takeUpdates(ws, relayDoc, (t) => !t.includes('kept'));
    expect(relayDoc.getText('text').toString()).toBe('教学目标：\n');
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps typing while the connection is down and sends it after the rejoin', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    const relayDoc = new Y.Doc();
    relayDoc.getText('text').insert(0, 'A\n');
    await answerOpen(ws, relayDoc);
    await docReady(page, 'plan');
    ws.drop();
    await waitForState(page, { phase: 'reconnecting' });
    await waitForText(page, '#doc-status', 'Offline — edits are kept here and merge when the connection is back');
    await page.click('#doc-editor .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('typed offline');
    relayDoc.getText('text').insert(0, 'B\n'); // someone else meanwhile
    const again = await relay.nextSocket();
    await again.next('join');
    again.send({ type: 'joined', peerId: 'me', role: 'viewer', session: SESSION });
    await answerOpen(again, relayDoc);
    await takeUpdates(again, relayDoc, (t) => t.includes('typed offline'));
    expect(relayDoc.getText('text').toString()).toBe('B\nA\ntyped offline');
    await page.waitForFunction(() => (globalThis as unknown as DocHook).__jiaoyan.doc.text('plan') === 'B\nA\ntyped offline');
    await waitForText(page, '#doc-status', 'In sync');
    expect(again.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
