// Real browsers against the real relay: one page takes a seat and publishes its (fake) camera and microphone,
// another page watches; getStats() shows decoded video frames and received audio at the watcher.
import { expect, it } from 'vitest';
import { browserRelayFixture, newPage, pollUntil, statSum, waitForStat, waitForState, waitForText } from '../helpers/browser.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { api, createSession, publishClip, until } from '../helpers/relay.js';

/** Deadline for the recording's discussion to show beside the playing video. */
const REPLAY_MS = 30_000;

const web = browserRelayFixture();

it('a browser speaker’s camera and microphone reach a browser viewer through the relay', async () => {
  const s = await createSession(web.relay, { title: '西河小学语文公开课', kind: 'trial' });
  const speaker = await web.joinPage(s.url, '李老师', '西河小学');
  const viewer = await web.joinPage(s.url, '王老师', '东山小学');
  await speaker.page.click('#take-seat');
  await waitForState(speaker.page, { publishing: true });
  await waitForStat(speaker.page, 'publish', 'outbound-rtp', 'video', 'packetsSent', 50);
  await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded', 30);
  await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'audio', 'packetsReceived', 50);
  expect(await statSum(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded')).toBeGreaterThan(30);
  // The browser sends its microphone level (RFC 6464) and the host's dashboard sees the speaker's level.
  const monitor = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: 'IT', venue: '教育中心', hostKey: s.hostKey, monitor: true, ca: web.relay.ca });
  try {
    const speakerId = () => monitor.lastState?.participants.find((p) => p.name === '李老师')?.peerId;
    await until(() => typeof monitor.lastStatus?.peers.find((p) => p.peerId === speakerId())?.level === 'number', 'the speaker’s level');
  } finally {
    monitor.close();
  }
  expect(speaker.errors).toEqual([]);
  expect(viewer.errors).toEqual([]);
});

it('a viewer who raises a hand starts publishing when the host grants the seat, without reloading', async () => {
  const s = await createSession(web.relay, { title: '名师课堂', kind: 'lesson' }); // seats granted by the host
  const host = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: '王老师', venue: '实验小学', hostKey: s.hostKey, ca: web.relay.ca });
  const watcher = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: '观众', venue: '五小', ca: web.relay.ca });
  try {
    let video = 0;
    watcher.eachTrack((t) => t.kind === 'video' && t.slot === 'main' && t.track.onReceiveRtp.subscribe(() => void video++));
    const student = await web.joinPage(s.url, '学生甲', '一小');
    await student.page.click('#raise-hand');
    const st = await host.stateWhere((x) => x.participants.some((p) => p.name === '学生甲' && p.hand));
    const peerId = st.participants.find((p) => p.name === '学生甲')!.peerId;
    const loads: string[] = [];
    student.page.on('load', () => loads.push('reload'));
    await host.request({ type: 'grantSeat', peerId });
    await waitForState(student.page, { publishing: true });
    await until(() => video > 100, 'the student’s camera at the other viewer');
    expect(loads).toEqual([]);
    expect(student.errors).toEqual([]);
  } finally {
    host.close();
    watcher.close();
  }
});

it('a watching page rejoins by itself after the relay restarts, and the picture comes back', async () => {
  const s = await createSession(web.relay, { title: '断线重连', kind: 'prep' });
  let host = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: '张老师', venue: '教育中心', hostKey: s.hostKey, ca: web.relay.ca });
  let stop = await publishClip(host);
  const viewer = await web.joinPage(s.url, '王老师', '东山小学');
  await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded', 30);
  stop();
  host.close();
  // Down: the page sees it, then the relay comes back on the same data folder and port.
  await web.restartRelay(() => waitForState(viewer.page, { phase: 'reconnecting' }));
  host = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: '张老师', venue: '教育中心', hostKey: s.hostKey, ca: web.relay.ca });
  stop = await publishClip(host);
  try {
    await waitForState(viewer.page, { joined: true, phase: 'joined' });
    // A new subscribing connection: its frame count starts again from zero.
    await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded', 30, 60_000);
  } finally {
    stop();
    host.close();
  }
});

it('a browser viewer decodes a venue that publishes H.264', async () => {
  const s = await createSession(web.relay, { title: '硬件编码的教室', kind: 'prep' });
  const host = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: '张老师', venue: '教育中心', hostKey: s.hostKey, ca: web.relay.ca, publishVideo: 'h264' });
  const stop = await publishClip(host, 'h264');
  try {
    const viewer = await web.joinPage(s.url, '王老师', '东山小学');
    await waitForStat(viewer.page, 'subscribe', 'inbound-rtp', 'video', 'framesDecoded', 30);
    const codec = await viewer.page.evaluate(async () => {
      type Stats = Map<string, unknown> & { forEach(cb: (r: never) => void): void };
      const pc = (globalThis as unknown as { __jiaoyan: { pcs: { subscribe: { getStats(): Promise<Stats> } } } }).__jiaoyan.pcs.subscribe;
      const stats = await pc.getStats();
      let id = '';
      stats.forEach((r: { type: string; kind?: string; codecId?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded ?? 0) > 0) id = r.codecId ?? '';
      });
      return (stats.get(id) as { mimeType?: string } | undefined)?.mimeType;
    });
    expect(codec?.toLowerCase()).toBe('video/h264');
    expect(viewer.errors).toEqual([]);
  } finally {
    stop();
    host.close();
  }
});

it('the host records from the page: the record button starts and stops a recording at the relay', async () => {
  const s = await createSession(web.relay, { title: '录课', kind: 'lesson' });
  const host = await web.joinPage(`${s.url}#hostKey=${s.hostKey}`, '张老师', '实验小学');
  const monitor = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: 'IT', venue: '实验小学', monitor: true, ca: web.relay.ca });
  try {
    await host.page.click('#start-broadcast');
    await waitForState(host.page, { publishing: true });
    await waitForStat(host.page, 'publish', 'outbound-rtp', 'video', 'framesEncoded', 30);
    await host.page.click('#record');
    await monitor.stateWhere((st) => st.recording);
    await waitForText(host.page, '#record', '停止录制');
    await waitForStat(host.page, 'publish', 'outbound-rtp', 'video', 'framesEncoded', 60);
    await monitor.request({ type: 'chat', text: '这里的提问很好 <b>!</b>' });
    await waitForStat(host.page, 'publish', 'outbound-rtp', 'video', 'framesEncoded', 150); // a few seconds of lesson
    await host.page.click('#record');
    await monitor.stateWhere((st) => !st.recording);
    const recs = (await api(web.relay, 'GET', '/api/recordings')).json.recordings as { sessionId: string; state: string; duration: number; history: { by: string }[] }[];
    const mine = recs.filter((r) => r.sessionId === s.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ state: 'pending', history: [{ by: '张老师@实验小学' }, { by: '张老师@实验小学' }] });
    expect(mine[0]!.duration).toBeGreaterThan(1);
    expect(host.errors).toEqual([]);

    // The recording's link plays it in a browser, with the discussion appearing at its moment.
    const id = (mine[0] as unknown as { id: string }).id;
    const { link } = (await api(web.relay, 'GET', `/api/recordings/${id}`)).json as { link: string };
    const watcher = await newPage(web.browser, 'zh-CN', { ignoreHTTPSErrors: true });
    await watcher.page.goto(link);
    await watcher.page.waitForSelector('#video');
    expect(await watcher.page.evaluate(() => (globalThis as unknown as { __player: { shown(): number } }).__player.shown())).toBe(0);
    await watcher.page.evaluate(async () => {
      const v = (globalThis as unknown as { __player: { video: { muted: boolean; currentTime: number; play(): Promise<void> } } }).__player.video;
      v.muted = true;
      await v.play();
    });
    const shown = () => watcher.page.evaluate(() => (globalThis as unknown as { __player: { shown(): number } }).__player.shown());
    // Poll the page (its playback moves on by itself) until the message shows, with a deadline.
    await pollUntil(shown, (n) => n === 1, () => 'the message never appeared beside the video', REPLAY_MS);
    expect(await watcher.page.textContent('#replay .chat-text')).toBe('这里的提问很好 <b>!</b>');
    expect(await watcher.page.$('#replay b')).toBeNull();
    expect(watcher.errors).toEqual([]);
  } finally {
    monitor.close();
  }
});
