// Voice notices in real Chromium pages against the real relay: the host records one from the (fake) microphone,
// another page lists it and plays it through the relay (the <audio> element's address carries its member token).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { joinPage, launchChromium } from '../helpers/browser.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { createSession, startTestRelay, type TestRelay } from '../helpers/relay.js';

/** Seconds the host records before sending. */
const RECORD_SECONDS = 2;

interface AudioDoc {
  document: {
    querySelector(s: string): { getAttribute(n: string): string | null; duration?: number; currentTime?: number; error?: unknown; ended?: boolean } | null;
  };
}

let browser: Browser;
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await relay?.running.close();
});

it('the host records a voice notice in the page; another page lists it and plays it', async () => {
  const s = await createSession(relay, { title: '语文组教研', kind: 'prep' });
  const host = await joinPage(browser, `${s.url}#hostKey=${s.hostKey}`, '张老师', '实验小学');
  const viewer = await joinPage(browser, s.url, '李老师', '东山小学');
  await viewer.page.locator('#notice-empty').waitFor();
  expect(await viewer.page.locator('#notice-record').isVisible()).toBe(false); // a viewer without a seat does not record

  await host.page.click('#notice-record');
  await host.page.waitForFunction(
    (min) => Number((globalThis as unknown as AudioDoc).document.querySelector('#notice-elapsed')?.getAttribute('data-seconds')) >= min,
    RECORD_SECONDS,
  );
  await host.page.click('#notice-send');

  const line = viewer.page.locator('#notice-list .notice-line');
  await line.waitFor();
  expect(await line.locator('.notice-from').textContent()).toBe('张老师（实验小学）');
  await host.page.locator('#notice-list .notice-line').waitFor();
  await host.page.locator('#notice-record').waitFor(); // ready for another one

  // The relay measured it from its packets (a MediaRecorder WebM states no duration).
  const monitor = await ParticipantClient.connect({ relay: relay.running.url, code: s.code, name: 'IT', venue: '教育中心', monitor: true, ca: relay.ca });
  try {
    await monitor.noticeList();
    expect(monitor.notices).toHaveLength(1);
    expect(monitor.notices[0]!.seconds).toBeGreaterThan(RECORD_SECONDS - 0.5);
    expect(monitor.notices[0]!.mime).toMatch(/^audio\/(webm|ogg)$/);
  } finally {
    monitor.close();
  }

  await line.locator('.notice-play').click();
  await viewer.page.waitForFunction(() => {
    const a = (globalThis as unknown as AudioDoc).document.querySelector('#notice-player');
    return !!a && !a.error && Number.isFinite(a.duration) && (a.duration ?? 0) > 1 && (a.currentTime ?? 0) > 0.5;
  });
  expect(host.errors).toEqual([]);
  expect(viewer.errors).toEqual([]);
});
