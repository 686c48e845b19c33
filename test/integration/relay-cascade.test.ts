// Cascading on loopback: a school relay started with an upstream takes the county's invite code, joins the county
// session once, and serves its local viewers from that one copy; control that belongs upstream is refused with a
// clear reason; when the county relay restarts, local viewers stay connected, see "reconnecting", and get media
// again without rejoining. (Traffic on a real WAN link is measured in test/e2e/cascade-netns.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { startRelay } from '../../src/server/relay-server.js';
import { UploadTokens } from '../../src/store/upload-tokens.js';
import { tempDir } from '../helpers/cli.js';
import { createSession, publishClip, relayFixture, startTestRelay, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function schoolRelay(county: TestRelay, name = '三小中继', token?: string): Promise<TestRelay> {
  const dataDir = tempDir();
  const running = await startRelay({ dataDir, port: 0, bind: '127.0.0.1', upstream: { url: county.running.url, ca: county.ca, name, backoffMs: [200, 1000], ...(token ? { token } : {}) } });
  cleanups.push(() => running.close());
  return { running, dataDir, ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'), token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() };
}

async function join2(r: TestRelay, code: string, name: string, venue: string, hostKey?: string) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

const total = (c: ParticipantClient, kind: 'audio' | 'video') =>
  c.tracks.filter((t) => t.kind === kind && t.slot === 'main').reduce((n, t) => n + (c.received.get(t.mid) ?? 0), 0);

describe('school relay cascading from a county relay', () => {
  it('serves local viewers with the county code from one upstream copy, and refuses what belongs upstream', async () => {
    const county = await relay();
    const school = await schoolRelay(county);
    const s = await createSession(county, { title: '县级公开课', kind: 'lesson' });
    const host = await join2(county, s.code, '王老师', '县教研室', s.hostKey);
    const clip = await publishClip(host);
    cleanups.push(clip);
    await host.stateWhere((st) => st.mainVenue === '县教研室');

    const viewers = await Promise.all([1, 2, 3].map((i) => join2(school, s.code, `老师${i}`, '三小')));
    for (const v of viewers) await v.stateWhere((st) => st.mainVenue === '县教研室' && st.upstream === 'connected');
    await until(() => viewers.every((v) => total(v, 'video') > 60 && total(v, 'audio') > 50), 'media at every local viewer');

    // The county sees the school as ONE participant, however many watch there.
    const countySession = county.running.relay.sessions.get(s.id)!;
    expect([...countySession.participants.values()].map((p) => p.name).sort()).toEqual(['三小中继', '王老师']);
    expect(school.running.upstream!.links()).toEqual([{ code: s.code.replace(/-/g, ''), sessionId: s.id, reconnects: 0 }]);

    // The upstream checks host keys; unknown codes are refused by the upstream.
    // Asking for a seat goes upstream, whose rules answer (a lesson's seat is granted by the host).
    await expect(viewers[0]!.takeSeat()).rejects.toMatchObject({ code: 'SEAT_BY_HOST' });
    await expect(join2(school, s.code, '主持', '三小', 'k'.repeat(32))).rejects.toMatchObject({ code: 'HOST_KEY_WRONG' });
    await expect(join2(school, '111-222-333', '某', '三小')).rejects.toMatchObject({ code: 'CODE_UNKNOWN' });
  });

  it('carries hands, seats, the discussion and a local speaker upstream; the county host runs them as anyone', async () => {
    const county = await relay();
    const school = await schoolRelay(county);
    const s = await createSession(county, { title: '县级教研会', kind: 'meeting' });
    const host = await join2(county, s.code, '王老师', '县教研室', s.hostKey);
    const hostClip = await publishClip(host);
    cleanups.push(hostClip);
    const watcher = await join2(county, s.code, '赵老师', '一小');
    const li = await join2(school, s.code, '李老师', '三小');
    const classmate = await join2(school, s.code, '陈老师', '三小');
    await li.stateWhere((st) => st.mainVenue === '县教研室');

    // A hand raised at the school is a hand at the county, under the teacher's own name and venue.
    li.send({ type: 'raiseHand', raised: true });
    await host.stateWhere((st) => st.participants.some((q) => q.name === '李老师' && q.venue === '三小' && q.hand));
    const liUpstream = host.lastState!.participants.find((q) => q.name === '李老师')!.peerId;
    expect(host.lastState!.participants.map((q) => q.name)).not.toContain('陈老师'); // only those who act are proxied
    // The school sees the county's people, with its own under their local ids.
    await li.stateWhere((st) => st.participants.some((q) => q.peerId === li.joined.peerId && q.hand) && st.participants.some((q) => q.name === '赵老师'));

    // The county host grants the seat; it arrives at the school and the teacher speaks from there.
    const granted = new Promise<boolean>((resolve) => li.once('seat', resolve));
    await host.request({ type: 'grantSeat', peerId: liUpstream });
    expect(await granted).toBe(true);
    const liClip = await publishClip(li);
    cleanups.push(liClip);
    await host.stateWhere((st) => st.participants.some((q) => q.peerId === liUpstream && q.publishing));
    await host.request({ type: 'pushVenue', venue: '三小' });
    await watcher.stateWhere((st) => st.mainVenue === '三小' && st.pendingVenue === null, 30_000);
    const before = total(watcher, 'video');
    await until(() => total(watcher, 'video') > before + 60, 'the school speaker reaches a county viewer');

    // The discussion: written at the school, read at the county and by the classmate (once).
    await li.request({ type: 'chat', text: '我们学校的做法是先小组讨论' });
    await until(() => host.chat.some((m) => m.text === '我们学校的做法是先小组讨论' && m.from === '李老师'), 'the message at the county');
    await until(() => classmate.chat.some((m) => m.text === '我们学校的做法是先小组讨论'), 'the message at the school');
    await host.request({ type: 'chat', text: '很好' });
    await until(() => classmate.chat.some((m) => m.text === '很好' && m.from === '王老师'), 'the county host heard at the school');
    expect(classmate.chat.filter((m) => m.text === '我们学校的做法是先小组讨论')).toHaveLength(1);

    // When the teacher leaves the school relay, the proxy leaves the county too.
    li.close();
    await host.stateWhere((st) => !st.participants.some((q) => q.name === '李老师'));
  });

  it('lets a host at the school relay run the county session: push the main venue, grant a seat', async () => {
    const county = await relay();
    const school = await schoolRelay(county);
    const s = await createSession(county, { title: '多校集体备课', kind: 'prep' });
    const a = await join2(county, s.code, '周老师', '一小');
    await a.takeSeat();
    const aClip = await publishClip(a);
    cleanups.push(aClip);
    const b = await join2(county, s.code, '吴老师', '二小');
    await b.takeSeat();
    const bClip = await publishClip(b);
    cleanups.push(bClip);
    const c = await join2(county, s.code, '郑老师', '四小');
    await c.stateWhere((st) => st.mainVenue === '一小');

    const host = await join2(school, s.code, '王主任', '三小', s.hostKey);
    expect(host.joined.role).toBe('host');
    await host.request({ type: 'pushVenue', venue: '二小' });
    await c.stateWhere((st) => st.mainVenue === '二小' && st.pendingVenue === null);
    await host.stateWhere((st) => st.mainVenue === '二小');
    // A county teacher's id, as the school's mirrored state shows it, is the one the county knows.
    const zheng = host.lastState!.participants.find((q) => q.name === '郑老师')!.peerId;
    await host.request({ type: 'revokeSeat', peerId: a.joined.peerId });
    await host.request({ type: 'grantSeat', peerId: zheng });
    await c.stateWhere((st) => st.participants.some((q) => q.name === '郑老师' && q.seat));
    await expect(host.request({ type: 'pushVenue', venue: '没有的学校' })).rejects.toMatchObject({ code: expect.stringMatching(/VENUE/) });
  });

  it('takes a school relay at its token: its look-ups are not limited per address, a wrong token is refused', async () => {
    const county = await relay();
    const s = await createSession(county, { title: '县级公开课', kind: 'lesson' });
    const token = await new UploadTokens(county.dataDir).create('三小');
    const trusted = await schoolRelay(county, '三小中继', token);
    const wrong = await schoolRelay(county, '五小中继', 'w'.repeat(32));
    const plain = await schoolRelay(county, '六小中继');

    await expect(join2(wrong, s.code, '孙老师', '五小')).rejects.toMatchObject({ code: 'RELAY_TOKEN_WRONG' });
    // Twelve mistyped codes from a school with its token: the county still serves everyone at that address.
    for (let i = 0; i < 12; i++) await expect(trusted.running.upstream!.resolve(`90000000${i % 10}`)).rejects.toMatchObject({ code: 'CODE_UNKNOWN' });
    await expect(join2(trusted, s.code, '李老师', '三小')).resolves.toBeDefined();
    await expect(join2(county, s.code, '赵老师', '一小')).resolves.toBeDefined();
    // Without a token the same mistakes lock the address out at the county, for the whole school (the wrong token
    // above was the first of the ten failures a minute this loopback address may have there).
    for (let i = 0; i < 9; i++) await expect(plain.running.upstream!.resolve(`90000000${i}`)).rejects.toMatchObject({ code: 'CODE_UNKNOWN' });
    await expect(plain.running.upstream!.resolve(s.code)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('cascades two levels deep: county → town → school, one copy on each link', async () => {
    const county = await relay();
    const town = await schoolRelay(county, '镇中继');
    const school = await schoolRelay(town, '村小中继');
    const s = await createSession(county, { title: '县级公开课', kind: 'lesson' });
    const host = await join2(county, s.code, '王老师', '县教研室', s.hostKey);
    const clip = await publishClip(host);
    cleanups.push(clip);
    const viewers = await Promise.all([1, 2].map((i) => join2(school, s.code, `老师${i}`, '村小')));
    await until(() => viewers.every((v) => total(v, 'video') > 60 && total(v, 'audio') > 50), 'media two relays down');
    expect([...county.running.relay.sessions.get(s.id)!.participants.values()].map((p) => p.name).sort()).toEqual(['王老师', '镇中继']);
    expect([...town.running.relay.sessions.get(s.id)!.participants.values()].map((p) => p.name)).toEqual(['村小中继']);
  });

  it('keeps local viewers connected while the county relay restarts, and the stream comes back', async () => {
    const countyDir = tempDir();
    let county = await startTestRelay(countyDir);
    const port = county.running.port;
    cleanups.push(() => county.running.close());
    const school = await schoolRelay(county);
    const s = await createSession(county, { title: '县级公开课', kind: 'lesson' });
    let host = await join2(county, s.code, '王老师', '县教研室', s.hostKey);
    const clip = await publishClip(host);
    cleanups.push(clip);
    const viewer = await join2(school, s.code, '李老师', '三小');
    await until(() => total(viewer, 'video') > 30, 'media before the restart');

    await county.running.close();
    await viewer.stateWhere((st) => st.upstream === 'reconnecting');
    const before = total(viewer, 'video');
    county = await startRelay({ dataDir: countyDir, port, bind: '127.0.0.1' }).then((running) => ({ ...county, running }));
    host = await join2(county, s.code, '王老师', '县教研室', s.hostKey);
    const again = await publishClip(host);
    cleanups.push(again);
    await viewer.stateWhere((st) => st.upstream === 'connected' && st.mainVenue === '县教研室', 30_000);
    await until(() => total(viewer, 'video') > before + 60 && total(viewer, 'audio') > 0, 'media again, same local connection', 30_000);
    expect(school.running.upstream!.links()[0]!.reconnects).toBeGreaterThanOrEqual(1);
  });
});
