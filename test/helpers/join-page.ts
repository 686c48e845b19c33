// Opening the join page against the fake relay and getting in: shared by the browser tests of src/web.
import type { Browser } from 'playwright-core';
import type { ServerMessage } from '../../src/signaling/protocol.js';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, newPage, type WatchedPage } from './browser.js';
import { startFakeRelay, type FakeRelay, type PageSocket } from './web-relay.js';

export const CODE = '482193775';
export const SESSION = { id: 's1', title: '西河小学语文公开课', kind: 'lesson', seats: 4, venues: ['西河小学', '东山小学'] };

export type Participant = Extract<ServerMessage, { type: 'state' }>['participants'][number];

export function participant(peerId: string, name: string, venue: string, role: Participant['role'], extra: Partial<Participant> = {}): Participant {
  return { peerId, name, venue, role, seat: role === 'speaker', publishing: false, muted: { audio: false, video: false }, hand: false, ...extra };
}

export type StateMessage = Extract<ServerMessage, { type: 'state' }>;

/** A `state` listing `participants` (seats taken counted from them); any other field can be overridden. */
export function stateOf(
  participants: Participant[],
  mainPeerId: string | null = null,
  mainVenue: string | null = null,
  extra: Partial<Omit<StateMessage, 'type' | 'participants'>> = {},
): StateMessage {
  const taken = participants.filter((p) => p.seat).length;
  return {
    type: 'state',
    participants,
    mainPeerId,
    mainVenue,
    pendingVenue: null,
    seats: { total: SESSION.seats, taken },
    rundown: { steps: [], current: null },
    selfSeat: true,
    recording: false,
    ...extra,
  };
}

export interface Joined extends WatchedPage {
  ws: PageSocket;
}

/**
 * Open `/j/<code>` (plus `hash`), fill in name and venue, press join, and answer the `join` with `joined`
 * (as `role`, peer id `peerId`) and a state listing `others` and oneself (other state fields from `state`).
 */
export async function joinPage(
  browser: Browser,
  relay: FakeRelay,
  opts: {
    locale?: string;
    name?: string;
    venue?: string;
    hash?: string;
    role?: Participant['role'];
    peerId?: string;
    others?: Participant[];
    /** Fields of the first `state` (rundown, selfSeat, …). */
    state?: Partial<Omit<StateMessage, 'type' | 'participants'>>;
  } = {},
): Promise<Joined> {
  const { locale = 'en-US', name = '李老师', venue = '东山小学', hash = '', role = 'viewer', peerId = 'me', others = [], state = {} } = opts;
  relay.lookups.set(CODE, { status: 200, body: { code: CODE, title: SESSION.title, kind: SESSION.kind, seats: SESSION.seats, venues: SESSION.venues } });
  const watched = await newPage(browser, locale);
  await watched.page.goto(`${relay.url}/j/${CODE}${hash}`);
  await watched.page.fill('#name', name);
  await watched.page.fill('#venue', venue);
  await watched.page.click('#join');
  const ws = await relay.nextSocket();
  await ws.next('join');
  ws.send({ type: 'joined', peerId, role, session: SESSION });
  ws.send(stateOf([...others, participant(peerId, name, venue, role)], state.mainPeerId ?? null, state.mainVenue ?? null, state));
  await watched.page.locator('#session').waitFor();
  return { ...watched, ws };
}

/**
 * One fake relay and one Chromium for a test file: started before its tests, closed after them. `ready` is
 * called with both once they run.
 */
export function usePageFixture(ready: (relay: FakeRelay, browser: Browser) => void): void {
  let relay: FakeRelay | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    relay = await startFakeRelay();
    browser = await launchChromium();
    ready(relay, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
  });
}
