// Seats, hands and microphones, removal, the discussion and the host's status snapshots, with in-process werift
// peers through a real relay.
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { readTag, TaggedPublisher } from '../helpers/tagged-publisher.js';
import { createSession, relayFixture, startTestRelay, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, extra: { hostKey?: string; monitor?: boolean } = {}) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...extra });
  cleanups.push(() => c.close());
  return c;
}

describe('seats and microphones', () => {
  it('lets the host grant a seat to a raised hand, enforces the limit, and revokes it', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '名师课堂', kind: 'lesson' }); // 1 seat, granted by the host
    const host = await join(r, s.code, '王老师', '实验小学', { hostKey: s.hostKey });
    const a = await join(r, s.code, '学生甲', '一小');
    const b = await join(r, s.code, '学生乙', '二小');
    await expect(a.takeSeat()).rejects.toMatchObject({ code: 'SEAT_BY_HOST' });
    a.send({ type: 'raiseHand', raised: true });
    await host.stateWhere((st) => st.participants.some((p) => p.peerId === a.joined.peerId && p.hand));
    const seat = new Promise<boolean>((resolve) => a.once('seat', resolve));
    await host.request({ type: 'grantSeat', peerId: a.joined.peerId });
    expect(await seat).toBe(true);
    const st = await host.stateWhere((x) => x.seats.taken === 1);
    expect(st.participants.find((p) => p.peerId === a.joined.peerId)).toMatchObject({ role: 'speaker', seat: true, hand: false });
    await expect(host.request({ type: 'grantSeat', peerId: b.joined.peerId })).rejects.toMatchObject({ code: 'SEAT_FULL' });
    await expect(a.request({ type: 'grantSeat', peerId: b.joined.peerId })).rejects.toMatchObject({ code: 'HOST_ONLY' });
    const revoked = new Promise<boolean>((resolve) => a.once('seat', resolve));
    await host.request({ type: 'revokeSeat', peerId: a.joined.peerId });
    expect(await revoked).toBe(false);
    await host.stateWhere((x) => x.seats.taken === 0 && x.participants.some((p) => p.peerId === a.joined.peerId && p.role === 'viewer'));
    await expect(host.request({ type: 'revokeSeat', peerId: a.joined.peerId })).rejects.toMatchObject({ code: 'SEAT_NOT_HELD' });
  });

  it('mutes a speaker at the relay until the speaker unmutes; nobody else can unmute; the host can remove people', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '集体备课', kind: 'prep' });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const speaker = await join(r, s.code, '李老师', '三小');
    await speaker.takeSeat();
    const viewer = await join(r, s.code, '赵老师', '五小');
    let audio = 0;
    viewer.eachTrack((t) => t.kind === 'audio' && t.slot === 'main' && t.track.onReceiveRtp.subscribe((p) => void (readTag(p.payload, 'audio') && audio++)));
    const pub = await TaggedPublisher.start(speaker, 3);
    cleanups.push(() => pub.stop());
    await until(() => audio > 20, 'the speaker’s sound at the viewer');

    const told = new Promise<string>((resolve) => speaker.once('mutedByHost', resolve));
    await host.request({ type: 'muteParticipant', peerId: speaker.joined.peerId, kind: 'audio' });
    expect(await told).toBe('audio');
    await host.stateWhere((st) => st.participants.some((p) => p.peerId === speaker.joined.peerId && p.muted.audio));
    // Held back at the relay: while the speaker sends another 25 packets (half a second), at most the ones
    // already in flight reach the viewer.
    const atMute = audio;
    const sentAtMute = pub.sent.audio;
    await until(() => pub.sent.audio >= sentAtMute + 25, 'the speaker to send on');
    expect(audio - atMute).toBeLessThanOrEqual(2);
    // The protocol has no remote unmute; the speaker turns the microphone back on.
    speaker.send({ type: 'mute', kind: 'audio', muted: false });
    await until(() => audio > atMute + 20, 'the sound again');

    const ended = new Promise<string>((resolve) => viewer.once('ended', resolve));
    await host.request({ type: 'removeParticipant', peerId: viewer.joined.peerId });
    expect(await ended).toBe('removed');
    await host.stateWhere((st) => !st.participants.some((p) => p.peerId === viewer.joined.peerId));
  });
});

describe('the discussion', () => {
  it('stamps, broadcasts and keeps messages as JSONL, replays them after a restart, and limits length and rate', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '试讲研讨', kind: 'trial' });
    const a = await join(r, s.code, '李老师', '三小');
    const b = await join(r, s.code, '赵老师', '五小');
    await b.chatHistory();
    const got = new Promise((resolve) => b.once('chat', resolve));
    await a.request({ type: 'chat', text: '  导入部分 <b>很好</b>  ' });
    expect(await got).toMatchObject({ from: '李老师', venue: '三小', text: '导入部分 <b>很好</b>', peerId: a.joined.peerId });
    expect(b.chat[0]!.t).toBeGreaterThanOrEqual(0);
    expect(Date.parse(b.chat[0]!.at)).toBeGreaterThan(Date.now() - 60_000);

    await expect(a.request({ type: 'chat', text: '好'.repeat(501) })).rejects.toMatchObject({ code: 'CHAT_TOO_LONG' });
    await expect(a.request({ type: 'chat', text: ' \n ' })).rejects.toMatchObject({ code: 'CHAT_EMPTY' });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => a.request({ type: 'chat', text: `第${i}条` })));
    const refused = results.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason as { code: string });
    expect(refused.length).toBeGreaterThanOrEqual(2); // a burst of 5 (one already used), then one every 2 s
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(['CHAT_RATE_LIMITED']));

    const posted = 1 + results.filter((x) => x.status === 'fulfilled').length;
    a.close();
    b.close();
    await r.running.close();
    const lines = readFileSync(joinPath(r.dataDir, 'chat', `${s.id}.jsonl`), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(posted);
    expect(JSON.parse(lines[0]!)).toMatchObject({ from: '李老师', text: '导入部分 <b>很好</b>' });

    const again = await startTestRelay(r.dataDir);
    cleanups.push(() => again.running.close());
    const c = await join(again, s.code, '钱老师', '六小');
    await c.chatHistory();
    expect(c.chat.map((m) => m.text)).toEqual(lines.map((l) => (JSON.parse(l) as { text: string }).text));
  });

  it('sends the host’s monitors a status snapshot every second; monitors are not participants', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '集体备课', kind: 'prep' });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const pub = await TaggedPublisher.start(host, 1);
    cleanups.push(() => pub.stop());
    const viewer = await join(r, s.code, '赵老师', '五小');
    const monitor = await join(r, s.code, 'IT', '教育中心', { hostKey: s.hostKey, monitor: true });
    const plain = await join(r, s.code, 'IT2', '教育中心', { monitor: true });
    await until(() => {
      const peers = monitor.lastStatus?.peers ?? [];
      return (peers.find((p) => p.peerId === host.joined.peerId)?.inKbps ?? 0) > 50 && (peers.find((p) => p.peerId === viewer.joined.peerId)?.outKbps ?? 0) > 50;
    }, 'traffic figures');
    const status = monitor.lastStatus!;
    expect(status.peers.map((p) => p.peerId).sort()).toEqual([host.joined.peerId, viewer.joined.peerId].sort());
    expect(status.relay.rssMb).toBeGreaterThan(10);
    expect(plain.lastStatus).toBeUndefined(); // without the host key: state and chat only
    const st = await monitor.stateWhere(() => true);
    expect(st.participants.map((p) => p.name).sort()).toEqual(['王主任', '赵老师']);
    await expect(monitor.takeSeat()).rejects.toMatchObject({ code: 'MONITOR_NO_MEDIA' });
  });
});
