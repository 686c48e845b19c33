// Handing the main venue from school to school, with in-process werift peers through a real relay: every
// viewer's first frame of the new venue is its keyframe, sequence numbers run on without a gap or a repeat,
// audio changes with the video, and pushes to venues that cannot be main are refused.
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { readTag, TaggedPublisher } from '../helpers/tagged-publisher.js';
import { createSession, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, extra: { hostKey?: string; monitor?: boolean } = {}) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...extra });
  cleanups.push(() => c.close());
  return c;
}

async function publish(c: ParticipantClient, venue: number) {
  const p = await TaggedPublisher.start(c, venue);
  cleanups.push(() => p.stop());
  return p;
}

interface Arrival {
  seq: number;
  venue: number;
  keyframe: boolean;
  at: number;
}

/** What one viewer receives on its main-venue m-lines, in arrival order. */
function watch(v: ParticipantClient) {
  const log = { audio: [] as Arrival[], video: [] as Arrival[] };
  v.eachTrack((t) => {
    if (t.slot !== 'main') return;
    t.track.onReceiveRtp.subscribe((p) => {
      const tag = readTag(p.payload, t.kind);
      if (tag) log[t.kind].push({ seq: p.header.sequenceNumber, venue: tag.venue, keyframe: tag.keyframe, at: performance.now() });
    });
  });
  return log;
}

const gaps = (xs: Arrival[]) => xs.slice(1).filter((x, i) => ((x.seq - xs[i]!.seq) & 0xffff) !== 1).map((x) => x.seq);

describe('handing the main venue on', () => {
  it('switches every viewer on the new venue’s keyframe, with continuous numbering and the sound alongside', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '多校联动展示课', kind: 'showcase' });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const speaker = await join(r, s.code, '李老师', '三小');
    // A showcase's seats are granted by the host.
    const granted = new Promise<boolean>((resolve) => speaker.once('seat', resolve));
    await host.request({ type: 'grantSeat', peerId: speaker.joined.peerId });
    expect(await granted).toBe(true);
    const viewers = await Promise.all(['一小', '二小', '四小'].map((v, i) => join(r, s.code, `观众${i}`, v)));
    const logs = viewers.map(watch);
    await publish(host, 1);
    const school3 = await publish(speaker, 3);
    await until(() => logs.every((l) => l.video.filter((a) => a.venue === 1).length > 30 && l.audio.length > 20), 'the centre at every viewer');
    const requestsBefore = school3.requests;

    await host.request({ type: 'pushVenue', venue: '三小' });
    await until(() => logs.every((l) => l.video.filter((a) => a.venue === 3).length > 30 && l.audio.filter((a) => a.venue === 3).length > 20), 'school 3 at every viewer');
    expect(school3.requests).toBeGreaterThan(requestsBefore); // the relay asked the new venue for a keyframe
    const state = await host.stateWhere((st) => st.mainVenue === '三小' && st.pendingVenue === null);
    expect(state.mainPeerId).toBe(speaker.joined.peerId);

    await host.request({ type: 'pushVenue', venue: '教育中心' });
    await until(() => logs.every((l) => l.video.slice(-1)[0]?.venue === 1 && l.video.filter((a) => a.venue === 1).length > 60), 'the centre again');

    for (const l of logs) {
      expect(gaps(l.video), 'video sequence gaps').toEqual([]);
      expect(gaps(l.audio), 'audio sequence gaps').toEqual([]);
      // Each venue change on the video m-line happens on a keyframe of the new venue.
      const changes = l.video.filter((a, i) => i > 0 && a.venue !== l.video[i - 1]!.venue);
      expect(changes.map((a) => [a.venue, a.keyframe])).toEqual([[3, true], [1, true]]);
      expect(l.video[0]!.keyframe).toBe(true);
      // Sound changes with the picture: the new venue's audio starts only once its keyframe has arrived.
      const soundChanges = l.audio.filter((a, i) => i > 0 && a.venue !== l.audio[i - 1]!.venue);
      expect(soundChanges.map((a) => a.venue)).toEqual([3, 1]);
      soundChanges.forEach((a, k) => expect(a.at).toBeGreaterThanOrEqual(changes[k]!.at));
    }
  });

  it('refuses pushes to an absent or silent venue, and from anyone but the host', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '联片教研', kind: 'prep' });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const viewer = await join(r, s.code, '赵老师', '五小');
    await expect(host.request({ type: 'pushVenue', venue: '六小' })).rejects.toMatchObject({ code: 'VENUE_ABSENT' });
    await expect(host.request({ type: 'pushVenue', venue: '五小' })).rejects.toMatchObject({ code: 'VENUE_NOT_PUBLISHING', kind: 'refused' });
    await expect(viewer.request({ type: 'pushVenue', venue: '教育中心' })).rejects.toMatchObject({ code: 'HOST_ONLY' });
  });

  it('steps through the rundown, refuses a step past the end, and remembers the step after a restart', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '城乡同步课堂展示', kind: 'showcase', venues: ['教育中心:开场', '三小:第一节'] });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const speaker = await join(r, s.code, '李老师', '三小');
    await host.request({ type: 'grantSeat', peerId: speaker.joined.peerId });
    const first = await host.stateWhere(() => true);
    expect(first.rundown).toEqual({ steps: [{ venue: '教育中心', label: '开场' }, { venue: '三小', label: '第一节' }], current: null });
    await publish(host, 1);
    await publish(speaker, 3);
    await host.request({ type: 'nextStep' });
    await host.stateWhere((st) => st.rundown.current === 0 && st.mainVenue === '教育中心');
    await host.request({ type: 'nextStep' });
    await host.stateWhere((st) => st.rundown.current === 1 && st.mainVenue === '三小');
    await expect(host.request({ type: 'nextStep' })).rejects.toMatchObject({ code: 'RUNDOWN_END' });

    host.close();
    speaker.close();
    await r.running.close();
    const { startTestRelay } = await import('../helpers/relay.js');
    const again = await startTestRelay(r.dataDir);
    cleanups.push(() => again.running.close());
    const monitor = await join(again, s.code, 'IT 老师', '教育中心', { monitor: true });
    const st = await monitor.stateWhere(() => true);
    expect(st.rundown.current).toBe(1);
    expect(st.participants).toEqual([]); // a monitor is not listed
  });
});
