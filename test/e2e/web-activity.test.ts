// The join page in a live research activity, against a scripted relay socket: the discussion panel, raising a
// hand and being given (and losing) a seat by the host, the host's controls (rundown, main venue, seats, mute,
// remove), being muted by the host, and being removed.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ChatMessage } from '../../src/signaling/protocol.js';
import { hookState, waitForState, waitForText, type HookWindow } from '../helpers/browser.js';
import { joinPage, participant, stateOf, type Participant, type StateMessage, usePageFixture } from '../helpers/join-page.js';
import { answerPublish, openPeerPage } from '../helpers/peer-page.js';
import type { FakeRelay } from '../helpers/web-relay.js';

let relay: FakeRelay;
let browser: Browser;
usePageFixture((r, b) => {
  relay = r;
  browser = b;
});

const XSS = '<img src=x onerror="globalThis.__xss=1">';
const HOST_KEY = 'k'.repeat(40);

/** The parts of the page's test hook these tests read besides the shared ones. */
interface ActivityHook {
  wantPublish: boolean;
  micOn: boolean;
  hand: boolean;
  endedReason: string;
  localTracks: Array<{ kind: string; enabled: boolean; live: boolean }>;
}

interface ScrollDoc {
  document: { getElementById(id: string): { scrollTop: number; scrollHeight: number; clientHeight: number } };
}

function activityState(page: Page): Promise<ActivityHook> {
  return page.evaluate(() => (globalThis as unknown as { __jiaoyan: { state(): ActivityHook } }).__jiaoyan.state());
}

function chatMessage(peerId: string, from: string, venue: string, text: string, at: string): ChatMessage {
  return { peerId, from, venue, text, at, t: 0 };
}

/** HH:MM of `at` in the page's own time zone, computed independently of the page's code. */
async function hhmm(page: Page, at: string): Promise<string> {
  const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(at));
}

const banners = (page: Page): Promise<string[]> => page.locator('#notices .banner span').allTextContents();

describe('discussion panel', () => {
  it('shows the history and live messages as text, sends with Enter, and shows chat errors', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    expect(await page.locator('#chat-empty').textContent()).toBe('No messages yet');
    expect(await page.locator('#chat-input').getAttribute('maxlength')).toBe('500');
    expect(await page.locator('#chat-count').textContent()).toBe('0/500 characters');

    const first = chatMessage('p0', '王老师', '西河小学', 'Good morning, everyone', '2025-03-01T08:05:00.000Z');
    const evil = chatMessage('p1', 'Amy', '东山小学', XSS, '2025-03-01T08:06:30.000Z');
    ws.send({ type: 'chatHistory', messages: [first, evil] });
    const live = chatMessage('p0', '王老师', '西河小学', 'Let us begin', '2025-03-01T08:10:00.000Z');
    ws.send({ type: 'chat', message: live });
    await page.locator('#chat-log .chat-line').nth(2).waitFor();
    expect(await page.locator('#chat-log .chat-line').allTextContents()).toEqual([
      `${await hhmm(page, first.at)} 王老师 (西河小学): Good morning, everyone`,
      `${await hhmm(page, evil.at)} Amy (东山小学): ${XSS}`,
      `${await hhmm(page, live.at)} 王老师 (西河小学): Let us begin`,
    ]);
    expect(await page.locator('#chat-empty').isHidden()).toBe(true);
    expect(await page.locator('#chat img').count()).toBe(0);
    expect(await page.locator('img:not(.cm-widgetBuffer)').count()).toBe(0); // CodeMirror's own cursor helpers aside
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();

    await page.press('#chat-input', 'Enter'); // empty: nothing goes out
    await page.fill('#chat-input', '  大家好，我是李老师  ');
    expect(await page.locator('#chat-count').textContent()).toBe('13/500 characters');
    await page.press('#chat-input', 'Enter');
    expect(await ws.next('chat')).toEqual({ type: 'chat', text: '大家好，我是李老师' });
    expect(await page.inputValue('#chat-input')).toBe('');
    await page.fill('#chat-input', 'second one');
    await page.click('#chat-send');
    expect(await ws.next('chat')).toEqual({ type: 'chat', text: 'second one' });
    expect(ws.received.filter((m) => m.type === 'chat')).toHaveLength(2);

    // One's own message comes back from the relay like everyone else's, marked as one's own.
    ws.send({ type: 'chat', message: chatMessage('me', '李老师', '东山小学', '大家好，我是李老师', '2025-03-01T08:11:00.000Z') });
    await page.locator('#chat-log .chat-line.chat-own').waitFor();

    // The relay answers in order: the first went out, the second was too fast and comes back into the input.
    ws.send({ type: 'ack', ref: 'chat' });
    ws.send({ type: 'error', code: 'CHAT_RATE_LIMITED', message: 'slow down', ref: 'chat' });
    await waitForText(page, '#notices .banner span', 'Too many messages — wait a moment');
    expect(await page.inputValue('#chat-input')).toBe('second one');
    expect(await page.locator('#chat-count').textContent()).toBe('10/500 characters');
    await page.fill('#chat-input', '');
    ws.send({ type: 'error', code: 'CHAT_TOO_LONG', message: 'too long', ref: 'chat' });
    await waitForText(page, '#notices .banner:nth-child(2) span', 'The message is too long (500 characters at most)');
    expect(await banners(page)).toEqual(['Too many messages — wait a moment', 'The message is too long (500 characters at most)']);
    expect(await page.inputValue('#chat-input')).toBe('');

    // Many lines: the log scrolls to the newest one.
    for (let i = 0; i < 40; i++) ws.send({ type: 'chat', message: chatMessage('p0', '王老师', '西河小学', `line ${i}`, '2025-03-01T08:12:00.000Z') });
    await waitForText(page, '#chat-log .chat-line:last-child .chat-text', 'line 39');
    const scroll = await page.evaluate(() => {
      const el = (globalThis as unknown as ScrollDoc).document.getElementById('chat-log');
      return { top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight };
    });
    expect(scroll.height).toBeGreaterThan(scroll.client);
    expect(scroll.top + scroll.client).toBeGreaterThanOrEqual(scroll.height - 1);

    await page.click('#lang');
    expect(await page.locator('#chat-log .chat-line').first().textContent()).toBe(`${await hhmm(page, first.at)} 王老师（西河小学）: Good morning, everyone`);
    expect(await page.locator('#chat-send').textContent()).toBe('发送');
    expect(await page.locator('#chat-input').getAttribute('placeholder')).toBe('输入讨论内容，回车发送');
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('raised hands and seats given by the host', () => {
  it('offers a raised hand instead of a seat when seats are full, in Chinese too', async () => {
    const taken = [1, 2, 3, 4].map((i) => participant(`s${i}`, `老师${i}`, '西河小学', 'speaker'));
    const { page, errors, context } = await joinPage(browser, relay, { locale: 'zh-CN', others: taken });
    await page.locator('#raise-hand').waitFor();
    expect(await page.locator('#raise-hand').textContent()).toBe('举手');
    expect(await page.locator('#take-seat').isHidden()).toBe(true);
    expect(await page.locator('#seats-free').textContent()).toBe('空余席位 0/4');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('raises a hand, publishes at once when the host grants a seat, is muted by the host, and stops when the seat is taken back', async () => {
    const host = participant('h1', '王老师', '西河小学', 'host', { publishing: true });
    const { page, errors, context, ws } = await joinPage(browser, relay, { others: [host], state: { selfSeat: false } });
    const me = (extra: Partial<Participant>): Participant => participant('me', '李老师', '东山小学', 'viewer', extra);
    const state = (self: Participant): StateMessage => stateOf([host, self], 'h1', '西河小学', { selfSeat: false });

    await page.locator('#raise-hand').waitFor();
    expect(await page.locator('#take-seat').isHidden()).toBe(true);
    expect(await page.locator('#raise-hand').textContent()).toBe('Raise hand');
    expect(await page.locator('#hand-status').isHidden()).toBe(true);
    await page.click('#raise-hand');
    expect(await ws.next('raiseHand')).toEqual({ type: 'raiseHand', raised: true });
    ws.send(state(me({ hand: true })));
    await waitForText(page, '#raise-hand', 'Lower hand');
    expect(await page.locator('#raise-hand').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#hand-status').textContent()).toBe('Hand raised — waiting for the host');
    expect(await page.locator('#people [data-peer=me] .badge-hand').textContent()).toBe('Hand raised');
    expect(await page.locator('#people .host-action').count()).toBe(0);

    // The host grants a seat: the page publishes without being asked, and without a reload.
    const peer = await openPeerPage(browser, page);
    ws.send(state(me({ role: 'speaker', seat: true })));
    ws.send({ type: 'seat', granted: true });
    const { sdp } = await ws.next('publish');
    ws.send({ type: 'publishAnswer', sdp: await answerPublish(peer, sdp) });
    await waitForState(page, { publishing: true });
    expect(ws.received.map((m) => m.type)).not.toContain('takeSeat');
    expect(await page.locator('#leave-seat').isVisible()).toBe(true);
    expect(await page.locator('#raise-hand').isHidden()).toBe(true);
    expect(await page.locator('#hand-status').isHidden()).toBe(true);
    await page.locator('.tile[data-peer=self]').waitFor();

    // Muted by the host: the microphone goes off here, and only the person turns it back on.
    ws.send({ type: 'mutedByHost', kind: 'audio' });
    expect(await ws.next('mute')).toEqual({ type: 'mute', kind: 'audio', muted: true });
    await waitForText(page, '#notices .banner span', 'The host muted your microphone');
    expect(await page.locator('#mic').textContent()).toBe('Unmute microphone');
    expect(await page.locator('#mic').getAttribute('aria-pressed')).toBe('true');
    const senders = () => page.evaluate(() => (globalThis as unknown as HookWindow).__jiaoyan.pcs.publish?.getSenders().map((s) => [s.track?.kind, s.track?.enabled]));
    expect(await senders()).toEqual([
      ['audio', false],
      ['video', true],
    ]);
    await page.click('#mic');
    expect(await ws.next('mute')).toEqual({ type: 'mute', kind: 'audio', muted: false });
    expect(await senders()).toEqual([
      ['audio', true],
      ['video', true],
    ]);
    ws.send({ type: 'mutedByHost', kind: 'video' });
    expect(await ws.next('mute')).toEqual({ type: 'mute', kind: 'video', muted: true });
    expect(await page.locator('#cam').getAttribute('aria-pressed')).toBe('true');
    expect((await activityState(page)).localTracks.map((t) => [t.kind, t.enabled])).toEqual([
      ['audio', true],
      ['video', false],
    ]);

    // The host takes the seat back: publishing stops and the page watches again.
    ws.send({ type: 'seat', granted: false });
    await waitForState(page, { publishing: false });
    await waitForText(page, '#notices .banner:last-child span', 'The host took back your seat');
    expect(await page.evaluate(() => (globalThis as unknown as HookWindow).__jiaoyan.pcs.publish)).toBeNull();
    expect(await activityState(page)).toMatchObject({ wantPublish: false, localTracks: [] });
    ws.send(state(me({})));
    await page.locator('#raise-hand').waitFor();
    expect(await page.locator('#leave-seat').isHidden()).toBe(true);
    expect(await page.locator('.tile[data-peer=self]').count()).toBe(0);
    expect(await hookState(page)).toMatchObject({ joined: true, role: 'viewer' });
    expect(ws.received.map((m) => m.type)).not.toContain('leaveSeat');
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('also stops publishing when a state shows the seat taken back before the seat message', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { state: { selfSeat: false } });
    const me = (seat: boolean): StateMessage =>
      stateOf([participant('me', '李老师', '东山小学', seat ? 'speaker' : 'viewer')], null, null, { selfSeat: false });
    ws.send(me(true));
    ws.send({ type: 'seat', granted: true });
    await ws.next('publish');
    await page.locator('#leave-seat').waitFor();
    ws.send(me(false));
    await waitForText(page, '#notices .banner span', 'The host took back your seat');
    expect(await activityState(page)).toMatchObject({ wantPublish: false, localTracks: [] });
    expect(await page.locator('#raise-hand').isVisible()).toBe(true);
    ws.send({ type: 'seat', granted: false });
    ws.send({ type: 'chat', message: chatMessage('p0', '王老师', '西河小学', 'after', '2025-03-01T08:00:00.000Z') });
    await page.locator('#chat-log .chat-line').waitFor();
    expect(await page.locator('#notices .banner').count()).toBe(1);
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('host controls', () => {
  const rundown = {
    steps: [
      { venue: '东山小学', label: '开场' },
      { venue: '南岭小学', label: '说课' },
      { venue: '西河小学', label: '评课' },
    ],
    current: 0,
  };
  const ana = participant('ana', 'Ana', '西河小学', 'viewer', { hand: true });
  const bo = participant('bo', 'Bo', '南岭小学', 'speaker', { publishing: true });
  const cy = participant('cy', 'Cy', '东山小学', 'viewer');
  const host = participant('h1', '李老师', '东山小学', 'host', { publishing: true });
  const hostState = (extra: Partial<StateMessage> = {}): StateMessage =>
    stateOf([ana, bo, cy, host], 'h1', '东山小学', { rundown, selfSeat: false, ...extra });

  it('shows the rundown and sends next step, main venue, seat, mute and remove requests from its buttons', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { hash: `#hostKey=${HOST_KEY}`, role: 'host', peerId: 'h1', others: [ana, bo, cy] });
    ws.send(hostState());
    await page.locator('#rundown-panel').waitFor();
    expect(await page.locator('#rundown .step-label').allTextContents()).toEqual(['开场', '说课', '评课']);
    expect(await page.locator('#rundown .rundown-step.current .step-label').textContent()).toBe('开场');
    expect(await page.locator('#rundown [aria-current=step]').getAttribute('data-step')).toBe('0');
    expect(await page.locator('#raise-hand').isHidden()).toBe(true);

    await page.click('#next-step');
    expect(await ws.next('nextStep')).toEqual({ type: 'nextStep' });
    ws.send({ type: 'ack', ref: 'nextStep' });

    // A "make main venue" button for every venue that broadcasts; the current main venue's is disabled.
    expect(await page.locator('#people .make-main').count()).toBe(2);
    expect(await page.locator('#people .venue[data-venue="东山小学"] .make-main').isDisabled()).toBe(true);
    expect(await page.locator('#people .venue[data-venue="西河小学"] .make-main').count()).toBe(0);
    await page.click('#people .venue[data-venue="南岭小学"] .make-main');
    expect(await ws.next('pushVenue')).toEqual({ type: 'pushVenue', venue: '南岭小学' });
    ws.send(hostState({ pendingVenue: '南岭小学' }));
    await waitForText(page, '#pending-venue', 'Switching to 南岭小学…');
    expect(await page.locator('#people .venue[data-venue="南岭小学"] .make-main').isDisabled()).toBe(true);

    // Per participant: a raised hand, then give / take back a seat, mute, remove (confirmed by a second click).
    expect(await page.locator('#people [data-peer=ana] .badge-hand').count()).toBe(1);
    expect(await page.locator('#people [data-peer=h1] .host-action').count()).toBe(0);
    expect(await page.locator('#people [data-peer=bo] .grant-seat').count()).toBe(0);
    await page.click('#people [data-peer=ana] .grant-seat');
    expect(await ws.next('grantSeat')).toEqual({ type: 'grantSeat', peerId: 'ana' });
    await page.click('#people [data-peer=bo] .revoke-seat');
    expect(await ws.next('revokeSeat')).toEqual({ type: 'revokeSeat', peerId: 'bo' });
    await page.click('#people [data-peer=bo] .mute-mic');
    expect(await ws.next('muteParticipant')).toEqual({ type: 'muteParticipant', peerId: 'bo', kind: 'audio' });
    expect(await page.locator('#people [data-peer=cy] .mute-mic').count()).toBe(0);
    await page.click('#people [data-peer=cy] .remove');
    expect(await page.locator('#people [data-peer=cy] .remove').textContent()).toBe('Remove — sure?');
    await page.click('#people [data-peer=cy] .remove');
    expect(await ws.next('removeParticipant')).toEqual({ type: 'removeParticipant', peerId: 'cy' });
    expect(ws.received.filter((m) => m.type === 'removeParticipant')).toHaveLength(1);
    expect(await page.locator('#people [data-peer=cy] .remove').textContent()).toBe('Remove');

    // The switch is done and the rundown is at its last step: nothing further to go to.
    ws.send(hostState({ mainVenue: '南岭小学', mainPeerId: 'bo', rundown: { ...rundown, current: 2 } }));
    await waitForText(page, '#main-venue', 'Main venue: 南岭小学');
    expect(await page.locator('#pending-venue').isHidden()).toBe(true);
    expect(await page.locator('#rundown .rundown-step.current .step-label').textContent()).toBe('评课');
    expect(await page.locator('#next-step').isDisabled()).toBe(true);

    ws.send({ type: 'error', code: 'SEAT_FULL', message: 'full', ref: 'grantSeat' });
    await waitForText(page, '#notices .banner span', 'All seats are taken');
    await page.click('#lang');
    expect(await page.locator('#next-step').textContent()).toBe('下一环节');
    expect(await page.locator('#people .venue[data-venue="东山小学"] .make-main').textContent()).toBe('设为主会场');
    expect(await page.locator('#people [data-peer=ana] .grant-seat').textContent()).toBe('授予席位');
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows everyone else the rundown, the main venue and the recording, without controls', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { others: [ana, bo, host] });
    ws.send(stateOf([ana, bo, host, participant('me', '李老师', '东山小学', 'viewer')], 'h1', '东山小学', { rundown: { ...rundown, current: 1 }, recording: true }));
    await waitForText(page, '#main-venue', 'Main venue: 东山小学');
    expect(await page.locator('#rundown .rundown-step.current .step-label').textContent()).toBe('说课');
    expect(await page.locator('#next-step').isHidden()).toBe(true);
    expect(await page.locator('#people .host-action').count()).toBe(0);
    expect(await page.locator('#recording').textContent()).toBe('Recording');
    expect(await page.locator('#take-seat').isVisible()).toBe(true);
    expect(await page.locator('#raise-hand').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('removed by the host', () => {
  it('says so, closes, and does not reconnect', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { peerId: 'me' });
    // Count the sockets the page opens from here on, and take over its timers to run any reconnect at once.
    await page.evaluate(() => {
      const w = globalThis as unknown as { __sockets: number; WebSocket: new (...args: unknown[]) => object };
      const Native = w.WebSocket;
      w.__sockets = 0;
      w.WebSocket = class extends Native {
        constructor(...args: unknown[]) {
          super(...args);
          w.__sockets++;
        }
      };
    });
    await page.clock.install();
    ws.send({ type: 'ended', reason: 'removed' });
    await waitForText(page, '#ended-title', 'The host removed you from the session');
    expect(await page.locator('#session').isHidden()).toBe(true);
    await ws.closed;
    await page.clock.runFor(120_000);
    expect(await page.evaluate(() => (globalThis as unknown as { __sockets: number }).__sockets)).toBe(0);
    expect(await hookState(page)).toMatchObject({ joined: false, phase: 'ended' });
    expect(await activityState(page)).toMatchObject({ endedReason: 'removed' });
    expect(await page.locator('#reconnecting').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
