// Debian's Chromium driven by playwright-core, with fake camera/microphone and loopback ICE allowed, plus
// typed access to the join page's test hook (window.__jiaoyan) from Node, and the fixture of the tests that put
// real browsers in front of the real relay (`browserRelayFixture`).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RelayOptions } from '../../src/server/relay-server.js';
import { tempDir } from './cli.js';
import { startTestRelay, type TestRelay } from './relay.js';

/** How often a poll of a page looks again. */
export const POLL_MS = 50;

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

/** A fresh context (own localStorage) in `locale`, with console errors collected. */
export async function newPage(browser: Browser, locale: string, options: { ignoreHTTPSErrors?: boolean } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ locale, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  return { context, page, errors };
}

export interface HookState {
  joined: boolean;
  phase: string;
  role: string | null;
  peerId: string | null;
  publishing: boolean;
  mainPeerId: string | null;
  participants: Array<{ peerId: string; name: string }>;
}

interface StatsLike {
  forEach(cb: (s: Record<string, unknown>) => void): void;
}
interface PcLike {
  connectionState: string;
  getStats(): Promise<StatsLike>;
  getSenders(): Array<{ track: { kind: string; enabled: boolean } | null }>;
}
export interface HookWindow {
  __jiaoyan: { state(): HookState; pcs: { publish: PcLike | null; subscribe: PcLike | null } };
}

export function hookState(page: Page): Promise<HookState> {
  return page.evaluate(() => (globalThis as unknown as HookWindow).__jiaoyan.state());
}

/** Wait (on the page's own animation frames) until the hook's state satisfies `expected`. */
export async function waitForState(page: Page, expected: Partial<Pick<HookState, 'joined' | 'phase' | 'role' | 'publishing'>>): Promise<void> {
  await page.waitForFunction((want) => {
    const s = (globalThis as unknown as HookWindow).__jiaoyan.state() as unknown as Record<string, unknown>;
    return Object.entries(want).every(([k, v]) => s[k] === v);
  }, expected);
}

/** Sum of one stat field over the stats of one kind and type on the page's publish or subscribe connection. */
export function statSum(page: Page, pc: 'publish' | 'subscribe', type: string, kind: string, field: string): Promise<number> {
  return page.evaluate(
    async ({ pc, type, kind, field }) => {
      const conn = (globalThis as unknown as HookWindow).__jiaoyan.pcs[pc];
      if (!conn) return -1;
      let sum = 0;
      (await conn.getStats()).forEach((s) => {
        if (s.type === type && s.kind === kind && typeof s[field] === 'number') sum += s[field] as number;
      });
      return sum;
    },
    { pc, type, kind, field },
  );
}

/**
 * Wait until that stat sum exceeds `above`, polling from Node every 50 ms (getStats is async, and
 * page.waitForFunction would take the returned promise itself as "truthy").
 */
export async function waitForStat(page: Page, pc: 'publish' | 'subscribe', type: string, kind: string, field: string, above = 0, timeoutMs = 30_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const sum = await statSum(page, pc, type, kind, field);
    if (sum > above) return sum;
    if (Date.now() > end) throw new Error(`${pc} ${type} ${kind} ${field} stayed at ${sum} (wanted > ${above})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Wait until the element's whole text is exactly `text`. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await page.locator(selector).filter({ hasText: exact }).waitFor();
}

interface VideoDoc {
  document: { querySelector(s: string): { videoWidth?: number; currentTime?: number; muted?: boolean } | null };
}

/** Wait until the video element under `selector` shows decoded frames. */
export async function waitForVideoPlaying(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((sel) => {
    const v = (globalThis as unknown as VideoDoc).document.querySelector(sel);
    return !!v && (v.videoWidth ?? 0) > 0 && (v.currentTime ?? 0) > 0;
  }, selector);
}

export function isMuted(page: Page, selector: string): Promise<boolean | undefined> {
  return page.evaluate((sel) => (globalThis as unknown as VideoDoc).document.querySelector(sel)?.muted, selector);
}

/** A page on the join URL (`url`, a hash may carry the host key), joined with a name and a venue. */
export async function joinPage(browser: Browser, url: string, name: string, venue: string): Promise<WatchedPage> {
  const w = await newPage(browser, 'zh-CN', { ignoreHTTPSErrors: true });
  await w.page.goto(url);
  await w.page.fill('#name', name);
  await w.page.fill('#venue', venue);
  await w.page.click('#join');
  await waitForState(w.page, { joined: true });
  return w;
}

/**
 * Ask `get` every POLL_MS until `check` accepts its answer, and return that answer; after `timeoutMs` fail with
 * `failure(last answer)`. For what a page cannot wait for itself (getStats, media playing on by itself).
 */
export async function pollUntil<T>(get: () => Promise<T>, check: (value: T) => boolean, failure: (last: T) => string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (check(value)) return value;
    if (Date.now() > end) throw new Error(failure(value));
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface BrowserRelayFixture {
  /** The file's loopback relay (started before its first test; a new one after `restartRelay`). */
  readonly relay: TestRelay;
  /** The file's Chromium. */
  readonly browser: Browser;
  /** Per-test clean-ups, run in reverse order after each test. */
  readonly cleanups: (() => void | Promise<void>)[];
  /** A page on a join URL of this relay, joined with a name and a venue (see `joinPage`). */
  joinPage(url: string, name: string, venue: string): Promise<WatchedPage>;
  /** Stop the relay, run `meanwhile` while it is down, then start it again on the same data folder and port. */
  restartRelay(meanwhile?: () => Promise<void>): Promise<TestRelay>;
}

/**
 * One loopback relay and one Chromium for a test file, closed after its last test, with per-test clean-ups (as
 * `relayFixture` in ./relay.ts). Call once at the top of a test file; read `relay` and `browser` inside tests.
 */
export function browserRelayFixture(opts: Partial<RelayOptions> = {}): BrowserRelayFixture {
  let relay: TestRelay | undefined;
  let browser: Browser | undefined;
  const cleanups: (() => void | Promise<void>)[] = [];
  beforeAll(async () => {
    relay = await startTestRelay(tempDir(), opts);
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.running.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet: use the fixture inside a test`);
    return value;
  };
  return {
    get relay() {
      return started(relay, 'the relay');
    },
    get browser() {
      return started(browser, 'Chromium');
    },
    cleanups,
    joinPage: (url, name, venue) => joinPage(started(browser, 'Chromium'), url, name, venue),
    async restartRelay(meanwhile) {
      const { dataDir, running } = started(relay, 'the relay');
      await running.close();
      await meanwhile?.();
      relay = await startTestRelay(dataDir, { ...opts, port: running.port });
      return relay;
    },
  };
}
