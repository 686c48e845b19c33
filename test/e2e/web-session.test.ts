// The join page inside a session, against a scripted relay socket: what it shows from `joined`/`state`,
// seat requests and refusals, relay errors, the end of a session, and names that look like HTML.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hookState, isMuted, waitForState, waitForText } from '../helpers/browser.js';
import { CODE, joinPage, participant, SESSION, stateOf, usePageFixture } from '../helpers/join-page.js';
import type { FakeRelay } from '../helpers/web-relay.js';

let relay: FakeRelay;
let browser: Browser;
usePageFixture((r, b) => {
  relay = r;
  browser = b;
});

const XSS = '<img src=x onerror="globalThis.__xss=1">';

describe('join page in a session', () => {
  it('shows the title, free seats, the main venue and the participants grouped by venue', async () => {
    const host = participant('p0', '王老师', '西河小学', 'host', { publishing: true, muted: { audio: true, video: false } });
    const amy = participant('p1', 'Amy', '东山小学', 'speaker', { publishing: true, muted: { audio: false, video: true } });
    const { page, errors, context, ws } = await joinPage(browser, relay, { others: [host, amy], name: XSS });
    ws.send(stateOf([host, amy, participant('me', XSS, '东山小学', 'viewer')], 'p0', '西河小学'));
    await waitForText(page, '#main-venue', 'Main venue: 西河小学');
    expect(ws.received[0]).toEqual({ type: 'join', code: CODE, name: XSS, venue: '东山小学' });
    expect(await page.locator('#session-title').textContent()).toBe(SESSION.title);
    expect(await page.locator('#seats-free').textContent()).toBe('Seats free: 3 of 4');
    expect(await page.locator('#people-head').textContent()).toBe('Participants (3)');
    expect(await page.locator('#people .venue-name').allTextContents()).toEqual(['西河小学', '东山小学']);
    expect(await page.locator('#people .person-name').allTextContents()).toEqual(['王老师', 'Amy', XSS]);
    expect(await page.locator('#people [data-peer=p0] .badge').allTextContents()).toEqual(['Host']);
    expect(await page.locator('#people [data-peer=p1] .badge').allTextContents()).toEqual(['Speaker', 'Seat']);
    expect(await page.locator('#people [data-peer=p0] .icon-micOff').getAttribute('title')).toBe('Microphone off');
    expect(await page.locator('#people [data-peer=p1] .icon-camOff').count()).toBe(1);
    expect(await page.locator('#people [data-peer=me] .you').textContent()).toBe('(you)');
    expect(await page.locator('#people img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#main-video').isVisible()).toBe(true);
    expect(await page.locator('#take-seat').isEnabled()).toBe(true);
    expect(await page.locator('#start-broadcast').isHidden()).toBe(true);
    expect(await hookState(page)).toMatchObject({ joined: true, role: 'viewer', peerId: 'me', publishing: false, mainPeerId: 'p0' });
    expect((await hookState(page)).participants.map((p) => p.peerId)).toEqual(['p0', 'p1', 'me']);
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches the session screen to Chinese and back', async () => {
    const { page, errors, context } = await joinPage(browser, relay);
    await page.click('#lang');
    expect(await page.locator('#seats-free').textContent()).toBe('空余席位 4/4');
    expect(await page.locator('#take-seat').textContent()).toBe('申请发言席位');
    expect(await page.locator('#people [data-peer=me] .badge').textContent()).toBe('观众');
    await page.click('#lang');
    expect(await page.locator('#take-seat').textContent()).toBe('Take a seat');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('asks for a seat and says so when none is free', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    await page.click('#take-seat');
    await ws.next('takeSeat');
    expect(await page.locator('#take-seat').textContent()).toBe('Asking for a seat…');
    expect(await page.locator('#take-seat').isDisabled()).toBe(true);
    ws.send({ type: 'seat', granted: false });
    await waitForText(page, '#notices .banner span', 'No seat is free right now');
    expect(await page.locator('#take-seat').isEnabled()).toBe(true);
    expect(await hookState(page)).toMatchObject({ publishing: false });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows relay errors in the page's language without blocking anything", async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay, { locale: 'zh-CN' });
    ws.send({ type: 'error', code: 'VIEWER_CANNOT_PUBLISH', message: 'viewers cannot publish', ref: 'publish' });
    ws.send({ type: 'error', code: 'SOMETHING_NEW', message: '服务器的新错误' });
    await waitForText(page, '#notices .banner:nth-child(2) span', '服务器的新错误');
    expect(await page.locator('#notices .banner span').allTextContents()).toEqual(['观众不能发送音视频，请先申请席位', '服务器的新错误']);
    await page.locator('#notices .banner:first-child .close').click();
    expect(await page.locator('#notices .banner').count()).toBe(1);
    expect(await page.locator('#take-seat').isEnabled()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows that the session has ended and stops', async () => {
    const { page, errors, context, ws } = await joinPage(browser, relay);
    ws.send({ type: 'ended', reason: 'host' });
    await page.locator('#ended').waitFor();
    expect(await page.locator('#ended h1').textContent()).toBe('The session has ended');
    expect(await page.locator('#session').isHidden()).toBe(true);
    await ws.closed;
    expect(await hookState(page)).toMatchObject({ joined: false, phase: 'ended' });
    await page.click('#ended-back');
    await page.locator('#join').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('goes back to the form with the reason when the relay refuses the join', async () => {
    const { page, context, errors } = await joinPage(browser, relay);
    await page.click('#leave');
    await page.locator('#join').waitFor();
    await page.click('#join');
    const ws = await relay.nextSocket();
    await ws.next('join');
    ws.send({ type: 'error', code: 'SESSION_ENDED', message: 'ended', ref: 'join' });
    await waitForText(page, '#form-status', 'This session has ended');
    expect(await hookState(page)).toMatchObject({ phase: 'idle', joined: false });
    expect(await page.locator('#join').isEnabled()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps its own main-venue audio muted as host, even with sound on', async () => {
    const hostKey = 'k'.repeat(40);
    const { page, errors, context, ws } = await joinPage(browser, relay, { hash: `#hostKey=${hostKey}`, role: 'host', peerId: 'h1' });
    expect(ws.received[0]).toMatchObject({ type: 'join', hostKey });
    ws.send(stateOf([participant('h1', '李老师', '东山小学', 'host', { publishing: true })], 'h1', '东山小学'));
    await waitForText(page, '#main-venue', 'Main venue: 东山小学');
    expect(await page.locator('#take-seat').isHidden()).toBe(true);
    expect(await page.locator('#start-broadcast').isVisible()).toBe(true);
    await page.click('#sound-on');
    expect(await page.locator('#sound-on').isHidden()).toBe(true);
    expect(await isMuted(page, '#main-video')).toBe(true);
    await waitForState(page, { role: 'host' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
