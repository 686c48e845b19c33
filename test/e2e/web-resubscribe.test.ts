// The join page and the relay's subscriber restarts: a `subscribeOffer` with `restart` replaces the page's subscribing
// connection — a new RTCPeerConnection answers, the old one is closed, the page stays joined and plays the new
// tracks; when the relay gives up (SUBSCRIBE_RESTART_LIMIT) the page rejoins. The relay's media side is a second
// Chromium page (test/helpers/peer-page.ts), the signaling is scripted on the fake relay's socket.
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { StreamSlot } from '../../src/signaling/protocol.js';
import { hookState, waitForStat, waitForState, waitForVideoPlaying, type HookWindow } from '../helpers/browser.js';
import { joinPage, usePageFixture } from '../helpers/join-page.js';
import { openPeerPage, type PeerWindow } from '../helpers/peer-page.js';
import type { FakeRelay, PageSocket } from '../helpers/web-relay.js';

let relay: FakeRelay;
let browser: Browser;
usePageFixture((r, b) => {
  relay = r;
  browser = b;
});

type Marked = { marked?: boolean; connectionState?: string } | null;
type MarkWindow = HookWindow & { __old?: Marked };

/** Offer one main pair from the peer page (on a new connection after restartSubscriber) and relay the answer back. */
async function offerMain(peer: Page, ws: PageSocket, version: number, restart: boolean): Promise<string> {
  const offer = await peer.evaluate(() => (globalThis as unknown as PeerWindow).relayPeer.offer(1));
  const streams: StreamSlot[] = offer.mids.map((m) => ({ ...m, slot: 'main', peerId: 'host' }));
  ws.send({ type: 'subscribeOffer', sdp: offer.sdp, version, streams, ...(restart ? { restart: true } : {}) });
  const answer = await ws.next('subscribeAnswer');
  expect(answer.version).toBe(version);
  await peer.evaluate((sdp) => (globalThis as unknown as PeerWindow).relayPeer.accept(sdp), answer.sdp);
  return answer.sdp;
}

const ufrag = (sdp: string): string | undefined => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];

it('answers a restart on a new subscribing connection and plays its media, without rejoining', async () => {
  const { page, errors, context, ws } = await joinPage(browser, relay, { name: '吴老师', venue: '西河小学' });
  const peer = await openPeerPage(browser, page);
  const first = await offerMain(peer, ws, 1, false);
  await waitForVideoPlaying(page, '#main-video');
  await page.evaluate(() => {
    const w = globalThis as unknown as MarkWindow;
    w.__old = Object.assign(w.__jiaoyan.pcs.subscribe ?? {}, { marked: true }) as Marked;
  });

  await peer.evaluate(() => (globalThis as unknown as PeerWindow).relayPeer.restartSubscriber());
  const second = await offerMain(peer, ws, 2, true);
  expect(ufrag(second)).not.toBe(ufrag(first)); // a new ICE agent: a new connection, not a renegotiation
  await waitForStat(page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded', 10);
  expect(await page.evaluate(() => ((globalThis as unknown as HookWindow).__jiaoyan.pcs.subscribe as Marked)?.marked)).toBeUndefined();
  expect(await page.evaluate(() => (globalThis as unknown as MarkWindow).__old?.connectionState)).toBe('closed');
  await waitForVideoPlaying(page, '#main-video');
  expect(await hookState(page)).toMatchObject({ phase: 'joined', joined: true });
  // Still the first socket: nothing was rejoined.
  expect(ws.received.filter((m) => m.type === 'join')).toHaveLength(1);
  expect(ws.invalid).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

it('rejoins when the relay gives up on its subscribing connection (SUBSCRIBE_RESTART_LIMIT)', async () => {
  const { page, errors, context, ws } = await joinPage(browser, relay, { name: '郑老师', venue: '东山小学' });
  const peer = await openPeerPage(browser, page);
  await offerMain(peer, ws, 1, false);
  await waitForVideoPlaying(page, '#main-video');

  ws.send({ type: 'error', code: 'SUBSCRIBE_RESTART_LIMIT', message: 'gave up', params: { count: 3 } });
  await ws.closed;
  const again = await relay.nextSocket();
  expect(await again.next('join')).toEqual({ type: 'join', code: '482193775', name: '郑老师', venue: '东山小学' });
  again.send({ type: 'joined', peerId: 'me2', role: 'viewer', session: { id: 's1', title: 't', kind: 'lesson', seats: 4, venues: [] } });
  await waitForState(page, { joined: true, phase: 'joined' });
  expect([...ws.invalid, ...again.invalid]).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
