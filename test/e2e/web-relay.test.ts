// Real browsers against the real relay: one page takes a seat and publishes its (fake) camera and microphone,
// another page watches; getStats() shows decoded video frames and received audio at the watcher.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage, statSum, waitForStat, waitForState, type WatchedPage } from '../helpers/browser.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { createSession, startTestRelay, until, type TestRelay } from '../helpers/relay.js';

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

async function openJoinPage(url: string, name: string, venue: string): Promise<WatchedPage> {
  const w = await newPage(browser, 'zh-CN', { ignoreHTTPSErrors: true });
  await w.page.goto(url);
  await w.page.fill('#name', name);
  await w.page.fill('#venue', venue);
  await w.page.click('#join');
  await waitForState(w.page, { joined: true });
  return w;
}

it('a browser speaker’s camera and microphone reach a browser viewer through the relay', async () => {
  const s = await createSession(relay, { title: '西河小学语文公开课', kind: 'trial' });
  const speaker = await openJoinPage(s.url, '李老师', '西河小学');
  const viewer = await openJoinPage(s.url, '王老师', '东山小学');
  await speaker.page.click('#take-seat');
  await waitForState(speaker.page, { publishing: true });
  await waitForStat(speaker.page, 'publish', 'outbound-rtp', 'video', 'packetsSent', 50);
  await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded', 30);
  await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'audio', 'packetsReceived', 50);
  expect(await statSum(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded')).toBeGreaterThan(30);
  // The browser sends its microphone level (RFC 6464) and the host's dashboard sees the speaker's level.
  const monitor = await ParticipantClient.connect({ relay: relay.running.url, code: s.code, name: 'IT', venue: '教育中心', hostKey: s.hostKey, monitor: true, ca: relay.ca });
  try {
    const speakerId = () => monitor.lastState?.participants.find((p) => p.name === '李老师')?.peerId;
    await until(() => typeof monitor.lastStatus?.peers.find((p) => p.peerId === speakerId())?.level === 'number', 'the speaker’s level');
  } finally {
    monitor.close();
  }
  expect(speaker.errors).toEqual([]);
  expect(viewer.errors).toEqual([]);
});
