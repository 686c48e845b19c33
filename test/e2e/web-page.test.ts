// The built join page (dist/web) in Debian's Chromium: the join form in both languages, invite code look-ups,
// remembered details, and no console errors. The relay is stood in for by test/helpers/web-relay.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hookState, launchChromium, newPage, waitForState, waitForText } from '../helpers/browser.js';
import { startFakeRelay, type FakeRelay } from '../helpers/web-relay.js';

let relay: FakeRelay;
let browser: Browser;

const CODE = '482193775';
const session = { id: 's1', title: '西河小学语文公开课', kind: 'lesson', seats: 4, venues: ['西河小学', '东山小学'] };

beforeAll(async () => {
  relay = await startFakeRelay();
  relay.lookups.set(CODE, { status: 200, body: { code: CODE, title: session.title, kind: session.kind, seats: 4, venues: session.venues } });
  relay.lookups.set('111111111', { status: 404, body: { error: { code: 'CODE_UNKNOWN', message: 'unknown code' } } });
  relay.lookups.set('222222222', { status: 410, body: { error: { code: 'SESSION_ENDED', message: 'ended' } } });
  relay.lookups.set('333333333', { status: 429, body: { error: { code: 'RATE_LIMITED', message: 'slow down' } }, headers: { 'retry-after': '30' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await relay?.close();
});

describe('join page', () => {
  it('renders the join form in Chinese for a Chinese browser, with the code from /j/<code> and the session title', async () => {
    const { page, errors, context } = await newPage(browser, 'zh-CN');
    await page.goto(`${relay.url}/j/${CODE}`);
    await page.locator('#lookup-title').waitFor();
    expect(await page.locator('#lookup-title').textContent()).toBe(session.title);
    expect(await page.inputValue('#code')).toBe('482-193-775');
    expect(await page.locator('label[for=code]').textContent()).toBe('邀请码');
    expect(await page.locator('#join').textContent()).toBe('加入');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('#session').isHidden()).toBe(true);
    expect(await hookState(page)).toMatchObject({ joined: false, phase: 'idle', publishing: false, peerId: null });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders in English for an English browser and keeps the language chosen with the switch', async () => {
    const { page, errors, context } = await newPage(browser, 'en-US');
    await page.goto(`${relay.url}/`);
    await page.locator('#join').waitFor();
    expect(await page.locator('label[for=name]').textContent()).toBe('Your name');
    expect(await page.locator('#lang').textContent()).toBe('中文');
    await page.click('#lang');
    expect(await page.locator('label[for=name]').textContent()).toBe('您的姓名');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.reload();
    await page.locator('#join').waitFor();
    expect(await page.locator('label[for=name]').textContent()).toBe('您的姓名');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('explains unknown (404), ended (410) and rate-limited (429) codes', async () => {
    const { page, errors, context } = await newPage(browser, 'en-US');
    await page.goto(`${relay.url}/`);
    const cases: Array<[string, string]> = [
      ['111-111-111', 'No session has this invite code — check it and try again'],
      ['222222222', 'This session has ended'],
      ['333 333 333', 'Too many attempts — try again in 30 s'],
    ];
    for (const [code, text] of cases) {
      await page.fill('#code', code);
      await waitForText(page, '#form-status', text);
    }
    expect(await page.locator('#lookup-title').isHidden()).toBe(true);
    // Chromium reports the 4xx answers themselves as console errors; nothing else may appear.
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of (404|410|429)/.test(e))).toEqual([]);
    await context.close();
  });

  it('checks the form before joining', async () => {
    const { page, errors, context } = await newPage(browser, 'en-US');
    await page.goto(`${relay.url}/`);
    await page.fill('#code', '12345');
    await page.click('#join');
    expect(await page.locator('#form-status').textContent()).toBe('The invite code has 9 digits, e.g. 482-193-775');
    await page.fill('#code', CODE);
    await page.click('#join');
    expect(await page.locator('#form-status').textContent()).toBe('Please enter your name');
    expect(await page.locator('#name:focus').count()).toBe(1);
    await page.fill('#name', '李老师');
    await page.fill('#venue', '西河小学');
    await page.click('details.advanced summary');
    await page.fill('#hostKey', 'too short');
    await page.click('#join');
    expect(await page.locator('#form-status').textContent()).toBe('The host key is not valid');
    expect(await hookState(page)).toMatchObject({ phase: 'idle' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says so when the relay cannot be reached for the join', async () => {
    const { page, context } = await newPage(browser, 'zh-CN');
    await page.goto(`${relay.url}/j/${CODE}`);
    await page.fill('#name', '李老师');
    await page.fill('#venue', '西河小学');
    await page.click('#join');
    const ws = await relay.nextSocket();
    await ws.next('join');
    ws.drop();
    await waitForText(page, '#form-status', '无法连接到服务器，请检查网络');
    expect(await hookState(page)).toMatchObject({ phase: 'idle' });
    await context.close();
  });

  it('remembers code, name and venue but not the host key', async () => {
    const { page, errors, context } = await newPage(browser, 'zh-CN');
    const hostKey = 'h'.repeat(32);
    await page.goto(`${relay.url}/j/${CODE}#hostKey=${hostKey}`);
    expect(await page.inputValue('#hostKey')).toBe(hostKey);
    await page.fill('#name', '王老师');
    await page.fill('#venue', '东山小学');
    await page.click('#join');
    const ws = await relay.nextSocket();
    expect(await ws.next('join')).toEqual({ type: 'join', code: CODE, name: '王老师', venue: '东山小学', hostKey });
    ws.send({ type: 'joined', peerId: 'p1', role: 'host', session });
    await waitForState(page, { joined: true, role: 'host' });
    await page.goto(`${relay.url}/`);
    await page.locator('#join').waitFor();
    expect(await page.inputValue('#code')).toBe('482-193-775');
    expect(await page.inputValue('#name')).toBe('王老师');
    expect(await page.inputValue('#venue')).toBe('东山小学');
    expect(await page.inputValue('#hostKey')).toBe('');
    expect((await ws.next('leave')).type).toBe('leave');
    expect(ws.invalid).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
