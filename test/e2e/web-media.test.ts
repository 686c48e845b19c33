// The join page's real WebRTC: publishing to and subscribing from a second Chromium page that plays the
// relay's media side (test/helpers/peer-page.ts), with the signaling scripted on the fake relay's socket.
// Loopback ICE, fake camera.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { StreamSlot } from '../../src/signaling/protocol.js';
import { hookState, isMuted, waitForState, waitForStat, waitForText, waitForVideoPlaying, type HookWindow } from '../helpers/browser.js';
import { joinPage, participant, stateOf, usePageFixture } from '../helpers/join-page.js';
import type { PeerWindow } from '../helpers/peer-page.js';
import type { FakeRelay, PageSocket } from '../helpers/web-relay.js';

let relay: FakeRelay;
let browser: Browser;
usePageFixture((r, b) => {
  relay = r;
  browser = b;
});

/** The m-line sections of an SDP, keyed by media kind in order. */
function sections(sdp: string): Array<{ kind: string; text: string; payloads: string[] }> {
  return sdp
    .split(/\r\n(?=m=)/)
    .slice(1)
    .map((text) => {
      const [, kind = '', pts = ''] = /^m=(\w+) \d+ [\w/]+ ([\d ]+)/.exec(text) ?? [];
      return { kind, text, payloads: pts.trim().split(' ') };
    });
}

const codecOf = (section: { text: string }, pt: string | undefined): string => new RegExp(`a=rtpmap:${pt} ([\\w-]+)/`).exec(section.text)?.[1] ?? '';

/** The relay's media side, in a context (window) of its own so neither page is a throttled background tab. */
async function peerPage(page: Page): Promise<Page> {
  const peer = await (await browser.newContext()).newPage();
  // The peer's context goes with the page's; when the whole browser is closing, that close may fail: ignore it.
  page.context().on('close', () => void peer.context().close().catch((err: unknown) => err));
  await peer.goto(`${new URL(page.url()).origin}/peer`);
  return peer;
}

/** Take a seat, have it granted, answer the publish offer from the peer page; returns the offer SDP. */
async function publishAsSpeaker(page: Page, ws: PageSocket, peer: Page): Promise<string> {
  await page.click('#take-seat');
  await ws.next('takeSeat');
  ws.send({ type: 'seat', granted: true });
  const { sdp } = await ws.next('publish');
  const answer = await peer.evaluate((offer) => (globalThis as unknown as PeerWindow).relayPeer.answerPublish(offer), sdp);
  ws.send({ type: 'publishAnswer', sdp: answer });
  await waitForState(page, { publishing: true });
  return sdp;
}

describe('join page media', () => {
  it('publishes sendonly Opus + VP8 with its candidates after a seat is granted, and mutes', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    const peer = await peerPage(page);
    const offer = await publishAsSpeaker(page, ws, peer);

    const [audio, video, ...more] = sections(offer);
    expect(more).toEqual([]);
    expect([audio?.kind, video?.kind]).toEqual(['audio', 'video']);
    for (const s of [audio, video]) expect(s?.text).toMatch(/^a=sendonly$/m);
    expect(codecOf(audio ?? { text: '' }, audio?.payloads[0])).toBe('opus');
    expect(codecOf(video ?? { text: '' }, video?.payloads[0])).toBe('VP8');
    for (const pt of video?.payloads ?? []) {
      if (codecOf(video ?? { text: '' }, pt) !== 'H264') continue;
      expect(video?.text).toMatch(new RegExp(`a=fmtp:${pt} .*packetization-mode=1.*profile-level-id=42e01f|a=fmtp:${pt} .*profile-level-id=42e01f.*packetization-mode=1`));
    }
    expect(offer).toMatch(/^a=candidate:/m);

    await waitForStat(page, 'publish', 'outbound-rtp', 'video', 'bytesSent');
    await peer.waitForFunction(async () => (await (globalThis as unknown as PeerWindow).relayPeer.receivedBytes()).video > 0, undefined, { polling: 100 });
    await waitForVideoPlaying(page, '.tile[data-peer=self] video');
    expect(await isMuted(page, '.tile[data-peer=self] video')).toBe(true);

    await page.click('#mic');
    expect(await ws.next('mute')).toEqual({ type: 'mute', kind: 'audio', muted: true });
    expect(await page.locator('#mic').textContent()).toBe('Unmute microphone');
    await page.click('#cam');
    expect(await ws.next('mute')).toEqual({ type: 'mute', kind: 'video', muted: true });
    const enabled = await page.evaluate(() =>
      (globalThis as unknown as HookWindow).__jiaoyan.pcs.publish?.getSenders().map((s) => [s.track?.kind, s.track?.enabled]),
    );
    expect(enabled).toEqual([
      ['audio', false],
      ['video', false],
    ]);

    await page.click('#leave-seat');
    await ws.next('leaveSeat');
    await waitForState(page, { publishing: false });
    expect(await page.evaluate(() => (globalThis as unknown as HookWindow).__jiaoyan.pcs.publish)).toBeNull();
    expect(await page.locator('.tile[data-peer=self]').count()).toBe(0);
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('plays the main venue and the seats from the relay offers, renegotiating on one connection', async () => {
    const ana = participant('ana', 'Ana', '西河小学', 'speaker', { publishing: true });
    const { page, errors, context, ws } = await joinPage(browser, relay, { others: [ana] });
    const peer = await peerPage(page);
    const offer = (pairs: number) => peer.evaluate((n) => (globalThis as unknown as PeerWindow).relayPeer.offer(n), pairs);
    const slots = (mids: Array<{ mid: string; kind: 'audio' | 'video' }>): StreamSlot[] =>
      mids.map((m, i) => (i < 2 ? { ...m, slot: 'main', peerId: 'host' } : { ...m, slot: 'seat', peerId: 'ana' }));

    const first = await offer(1);
    ws.send({ type: 'subscribeOffer', sdp: first.sdp, version: 1, streams: slots(first.mids) });
    const answer1 = await ws.next('subscribeAnswer');
    expect(answer1.version).toBe(1);
    expect(sections(answer1.sdp).map((s) => /^a=recvonly$/m.test(s.text))).toEqual([true, true]);
    expect(codecOf(sections(answer1.sdp)[1] ?? { text: '' }, sections(answer1.sdp)[1]?.payloads[0])).toBe('VP8');
    await peer.evaluate((sdp) => (globalThis as unknown as PeerWindow).relayPeer.accept(sdp), answer1.sdp);
    await waitForVideoPlaying(page, '#main-video');
    await waitForStat(page, 'subscribe', 'inbound-rtp', 'video', 'bytesReceived');
    await waitForStat(page, 'subscribe', 'inbound-rtp', 'audio', 'bytesReceived');
    expect(await isMuted(page, '#main-video')).toBe(true);
    await page.evaluate(() => Object.assign((globalThis as unknown as HookWindow).__jiaoyan.pcs.subscribe ?? {}, { marked: true }));

    const second = await offer(1);
    ws.send({ type: 'subscribeOffer', sdp: second.sdp, version: 2, streams: slots(second.mids) });
    const answer2 = await ws.next('subscribeAnswer');
    expect(answer2.version).toBe(2);
    await peer.evaluate((sdp) => (globalThis as unknown as PeerWindow).relayPeer.accept(sdp), answer2.sdp);
    await waitForVideoPlaying(page, '.tile[data-peer=ana] video');
    await waitForText(page, '.tile[data-peer=ana] .tile-label', 'Ana · 西河小学');
    expect(await page.evaluate(() => ((globalThis as unknown as HookWindow).__jiaoyan.pcs.subscribe as { marked?: boolean } | null)?.marked)).toBe(true);

    // The same version again with other sources behind the m-lines: relabel only, nothing to answer.
    const relabelled = slots(second.mids).map((m) => (m.slot === 'seat' ? { ...m, peerId: 'bo' } : m));
    ws.send(stateOf([ana, participant('bo', 'Bo', '北坡小学', 'speaker', { publishing: true }), participant('me', '李老师', '东山小学', 'viewer')]));
    ws.send({ type: 'subscribeOffer', sdp: second.sdp, version: 2, streams: relabelled });
    await waitForText(page, '.tile[data-peer=bo] .tile-label', 'Bo · 北坡小学');
    expect(await page.locator('.tile[data-peer=ana]').count()).toBe(0);
    await waitForVideoPlaying(page, '.tile[data-peer=bo] video');

    await page.click('#sound-on');
    expect(await isMuted(page, '#main-video')).toBe(false);
    expect(await isMuted(page, '.tile[data-peer=bo] video')).toBe(false);
    expect(ws.received.filter((m) => m.type === 'subscribeAnswer').map((m) => m.type === 'subscribeAnswer' && m.version)).toEqual([1, 2]);
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reconnects by itself after the network drops, re-joins as before and takes its seat again', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { name: '赵老师', venue: '南岭小学' });
    const peer = await peerPage(page);
    await publishAsSpeaker(page, ws, peer);
    ws.send(stateOf([participant('me', '赵老师', '南岭小学', 'speaker', { publishing: true })]));
    await page.click('#mic');
    await ws.next('mute');

    ws.drop();
    await page.locator('#reconnecting').waitFor();
    expect(await page.locator('#reconnecting').textContent()).toBe('Connection lost — reconnecting…');
    expect(await hookState(page)).toMatchObject({ phase: 'reconnecting', publishing: false });

    const again = await relay.nextSocket();
    expect(await again.next('join')).toEqual({ type: 'join', code: '482193775', name: '赵老师', venue: '南岭小学' });
    again.send({ type: 'joined', peerId: 'me2', role: 'viewer', session: { id: 's1', title: 't', kind: 'lesson', seats: 4, venues: [] } });
    await again.next('takeSeat');
    again.send({ type: 'seat', granted: true });
    const { sdp } = await again.next('publish');
    const answer = await peer.evaluate((offer) => (globalThis as unknown as PeerWindow).relayPeer.answerPublish(offer), sdp);
    again.send({ type: 'publishAnswer', sdp: answer });
    await waitForState(page, { publishing: true, joined: true });
    expect(await again.next('mute')).toEqual({ type: 'mute', kind: 'audio', muted: true });
    expect(await page.locator('#reconnecting').isHidden()).toBe(true);
    await waitForStat(page, 'publish', 'outbound-rtp', 'video', 'bytesSent');
    expect([...ws.invalid, ...again.invalid]).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reconnects when the media path stays broken for more than 5 s, even with the socket still open', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { name: '孙老师', venue: '北坡小学' });
    const peer = await peerPage(page);
    const offer = await peer.evaluate(() => (globalThis as unknown as PeerWindow).relayPeer.offer(1));
    ws.send({ type: 'subscribeOffer', sdp: offer.sdp, version: 1, streams: offer.mids.map((m) => ({ ...m, slot: 'main' as const })) });
    const { sdp } = await ws.next('subscribeAnswer');
    await peer.evaluate((answer) => (globalThis as unknown as PeerWindow).relayPeer.accept(answer), sdp);
    await waitForVideoPlaying(page, '#main-video');

    await peer.evaluate(() => (globalThis as unknown as PeerWindow).relayPeer.close());
    await page.locator('#reconnecting').waitFor({ timeout: 30_000 });
    await ws.closed;
    const again = await relay.nextSocket();
    expect(await again.next('join')).toEqual({ type: 'join', code: '482193775', name: '孙老师', venue: '北坡小学' });
    again.send({ type: 'joined', peerId: 'me2', role: 'viewer', session: { id: 's1', title: 't', kind: 'lesson', seats: 4, venues: [] } });
    await waitForState(page, { joined: true, phase: 'joined' });
    expect(await page.evaluate(() => (globalThis as unknown as HookWindow).__jiaoyan.pcs.subscribe)).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('broadcasts as host without a seat and stops on request', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { hash: `#hostKey=${'k'.repeat(32)}`, role: 'host', peerId: 'h1' });
    const peer = await peerPage(page);
    await page.click('#start-broadcast');
    const { sdp } = await ws.next('publish');
    const answer = await peer.evaluate((offer) => (globalThis as unknown as PeerWindow).relayPeer.answerPublish(offer), sdp);
    ws.send({ type: 'publishAnswer', sdp: answer });
    await waitForState(page, { publishing: true });
    await waitForStat(page, 'publish', 'outbound-rtp', 'video', 'bytesSent');
    expect(ws.received.map((m) => m.type)).not.toContain('takeSeat');
    await page.click('#stop-broadcast');
    await ws.next('unpublish');
    await waitForState(page, { publishing: false });
    expect(await page.locator('#start-broadcast').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
