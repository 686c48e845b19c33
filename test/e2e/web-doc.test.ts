// Real browsers editing one shared document through the real relay: two join pages type into the plan at the
// same time and end with the same text holding both people's typing, each showing the other's cursor with
// their name; and a page that goes offline for a while keeps editing, then rejoins and everything merges.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserRelayFixture, hookState, pollUntil, type HookWindow, type WatchedPage } from '../helpers/browser.js';
import { createSession } from '../helpers/relay.js';
import { TcpLink } from '../helpers/tcp-link.js';

/** Between key presses: both people type at the same time, their keystrokes interleaved. */
const TYPING_DELAY_MS = 20;
/** The scenario: how long a page stays offline. */
const OFFLINE_MS = 5_000;
/** Deadline for the relay to answer a page's docOpen. */
const READY_MS = 15_000;
/** Deadline for every page to show the same text after the last keystroke. */
const CONVERGE_MS = 20_000;
/**
 * Deadline for a page to notice its connection is gone, and for the others to see its cursor go: shorter than
 * the page's own silence limit (25 s), so only the socket's closing can meet it.
 */
const DROP_MS = 15_000;
/** Deadline for a page back online to rejoin (its back-off waits up to 4 s by then). */
const REJOIN_MS = 30_000;

const web = browserRelayFixture();

interface DocHook {
  __jiaoyan: { doc: { text(name: string): string | null; ready(name: string): boolean } };
}

function docText(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as unknown as DocHook).__jiaoyan.doc.text('plan'));
}

async function planReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as DocHook).__jiaoyan.doc.ready('plan'), undefined, { timeout: READY_MS });
}

/** Wait until the page's plan contains `part`. */
async function planHas(page: Page, part: string): Promise<void> {
  await page.waitForFunction((p) => ((globalThis as unknown as DocHook).__jiaoyan.doc.text('plan') ?? '').includes(p), part, { timeout: CONVERGE_MS });
}

/** Wait until the join client is in `phase`. */
async function phaseIs(page: Page, phase: string, timeout: number): Promise<void> {
  await page.waitForFunction((p) => (globalThis as unknown as HookWindow).__jiaoyan.state().phase === p, phase, { timeout });
}

/** Wait until every page shows the same plan, and return it. */
async function converged(pages: Page[]): Promise<string> {
  const texts = await pollUntil(
    () => Promise.all(pages.map(docText)),
    (all) => all.every((t) => t !== null && t === all[0]),
    (all) => `the pages did not converge: ${JSON.stringify(all)}`,
    CONVERGE_MS,
  );
  return texts[0] ?? '';
}

/** Put the caret at the end of the document and type `text` key by key. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.click('#doc-editor .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text, { delay: TYPING_DELAY_MS });
}

/** The characters of `text` that belong to `alphabet`, in order: one person's typing inside the merged text. */
const only = (text: string, alphabet: string): string => [...text].filter((c) => alphabet.includes(c)).join('');

/** The y-codemirror label on someone else's cursor. */
const caretOf = (page: Page, name: string) => page.locator('#doc-editor .cm-ySelectionInfo', { hasText: name });

describe('shared plan in the browser', () => {
  it('two pages typing at the same time end with the same text and see each other’s cursor by name', async () => {
    const s = await createSession(web.relay, { title: '三年级语文集体备课', kind: 'prep' });
    const li = await web.joinPage(s.url, '李老师', '西河小学');
    const wang = await web.joinPage(s.url, '王老师', '东山小学');
    try {
      await Promise.all([planReady(li.page), planReady(wang.page)]);
      const liTyped = 'abcdefghij 教学目标 klmnop';
      const wangTyped = 'QRSTUVWXYZ 重点难点 0123456';
      await Promise.all([typeAtEnd(li.page, liTyped), typeAtEnd(wang.page, wangTyped)]);
      const text = await converged([li.page, wang.page]);
      // Both people's keystrokes are all there, each in the order typed (where they interleave is up to Yjs).
      expect(only(text, 'abcdefghijklmnop教学目')).toBe(only(liTyped, 'abcdefghijklmnop教学目'));
      expect(only(text, 'QRSTUVWXYZ重点难0123456')).toBe(only(wangTyped, 'QRSTUVWXYZ重点难0123456'));
      expect(text.length).toBe(liTyped.length + wangTyped.length);
      await caretOf(li.page, '王老师').waitFor({ timeout: CONVERGE_MS });
      await caretOf(wang.page, '李老师').waitFor({ timeout: CONVERGE_MS });
      expect(await caretOf(li.page, '李老师').count()).toBe(0); // one's own cursor is the editor's own
      expect(li.errors).toEqual([]);
      expect(wang.errors).toEqual([]);
    } finally {
      await li.context.close();
      await wang.context.close();
    }
  });

  it('a page offline for a while keeps editing, then rejoins and both pages merge every edit', async () => {
    const s = await createSession(web.relay, { title: '断网也能写', kind: 'prep' });
    const link = await TcpLink.open(web.relay.running.port);
    let li: WatchedPage | undefined;
    let wang: WatchedPage | undefined;
    try {
      li = await web.joinPage(s.url, '李老师', '西河小学');
      wang = await web.joinPage(link.via(s.url), '王老师', '东山小学'); // this one's network can go down
      await Promise.all([planReady(li.page), planReady(wang.page)]);
      await typeAtEnd(li.page, '一、导入\n');
      await planHas(wang.page, '一、导入\n');
      await typeAtEnd(wang.page, '二、新授\n');
      await planHas(li.page, '二、新授\n');
      await caretOf(li.page, '王老师').waitFor({ timeout: CONVERGE_MS });

      // The network goes: the browser cannot connect any more and its open connection breaks.
      await wang.context.setOffline(true);
      const offlineAt = Date.now();
      link.cut();
      // Sooner than the page's ping could notice (PONG_LIMIT_MS, 25 s, in src/web/signaling.ts): the socket closed.
      await phaseIs(wang.page, 'reconnecting', DROP_MS);
      await caretOf(li.page, '王老师').waitFor({ state: 'detached', timeout: DROP_MS }); // the relay saw it leave
      await typeAtEnd(wang.page, '三、离线写的练习\n');
      await typeAtEnd(li.page, '四、在线写的小结\n');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, OFFLINE_MS - (Date.now() - offlineAt))));
      // Still offline after all that time: each side has only its own new line.
      expect((await hookState(wang.page)).phase).toBe('reconnecting');
      expect(await docText(wang.page)).toBe('一、导入\n二、新授\n三、离线写的练习\n');
      expect(await docText(li.page)).toBe('一、导入\n二、新授\n四、在线写的小结\n');
      expect(await wang.page.locator('#doc-status').getAttribute('data-state')).toBe('offline');

      await wang.context.setOffline(false);
      await phaseIs(wang.page, 'joined', REJOIN_MS);
      await planReady(wang.page);
      const text = await converged([li.page, wang.page]);
      for (const line of ['一、导入', '二、新授', '三、离线写的练习', '四、在线写的小结']) expect(text).toContain(line);
      expect(text.startsWith('一、导入\n二、新授\n')).toBe(true);
      await caretOf(li.page, '王老师').waitFor({ timeout: CONVERGE_MS }); // the cursor is back too
      expect(li.errors).toEqual([]);
      // Chromium logs each reconnect attempt made while offline; nothing else.
      expect(wang.errors.filter((e) => !/^WebSocket connection to '\S+' failed: .*net::ERR_INTERNET_DISCONNECTED$/.test(e))).toEqual([]);
    } finally {
      await li?.context.close();
      await wang?.context.close();
      await link.close();
    }
  });
});
