// Voice notices in real Chromium pages against the real relay: the host records one from the (fake) microphone,
// another page lists it and plays it through the relay (the <audio> element's address carries its member token).
import { expect, it } from 'vitest';
import { browserRelayFixture } from '../helpers/browser.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { createSession } from '../helpers/relay.js';

/** Seconds the host records before sending. */
const RECORD_SECONDS = 2;

interface AudioDoc {
  document: {
    querySelector(s: string): { getAttribute(n: string): string | null; duration?: number; currentTime?: number; error?: unknown; ended?: boolean } | null;
  };
}

const web = browserRelayFixture();

it('the host records a voice notice in the page; another page lists it and plays it', async () => {
  const s = await createSession(web.relay, { title: '语文组教研', kind: 'prep' });
  const host = await web.joinPage(`${s.url}#hostKey=${s.hostKey}`, '张老师', '实验小学');
  const viewer = await web.joinPage(s.url, '李老师', '东山小学');
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
  const monitor = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: 'IT', venue: '教育中心', monitor: true, ca: web.relay.ca });
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
