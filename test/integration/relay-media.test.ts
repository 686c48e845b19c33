// A real relay on loopback, real werift peers, real RTP from ffmpeg: media forwarding and the rules of roles.
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { RefusedError } from '../../src/core/errors.js';
import { api, createSession, publishClip, relayFixture, startTestRelay, text, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, hostKey?: string) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

describe('forwarding through the relay', () => {
  it('carries the host’s audio and video to 3 viewers with continuous sequence numbers and each viewer’s own SSRC', async () => {
    const r = await relay();
    const s = await createSession(r);
    const host = await join(r, s.code, '张老师', '教育中心', s.hostKey);
    expect(host.joined.role).toBe('host');
    const viewers = await Promise.all(['一小', '二小', '三小'].map((v, i) => join(r, s.code, `老师${i}`, v)));
    const seen = viewers.map(() => new Map<string, { ssrc: number; seqs: number[] }>());
    viewers.forEach((v, i) => v.eachTrack((t) => {
      const log = { ssrc: 0, seqs: [] as number[] };
      seen[i]!.set(t.kind, log);
      t.track.onReceiveRtp.subscribe((p) => {
        log.ssrc = p.header.ssrc;
        log.seqs.push(p.header.sequenceNumber);
      });
    }));
    cleanups.push(await publishClip(host));
    await until(() => seen.every((m) => (m.get('video')?.seqs.length ?? 0) > 150 && (m.get('audio')?.seqs.length ?? 0) > 100), 'media at every viewer');
    const videoSsrcs = new Set<number>();
    for (const m of seen) {
      for (const kind of ['audio', 'video']) {
        const { seqs } = m.get(kind)!;
        const gaps = seqs.slice(1).filter((q, i) => ((q - seqs[i]!) & 0xffff) !== 1);
        expect(gaps, `${kind} sequence gaps`).toEqual([]);
      }
      videoSsrcs.add(m.get('video')!.ssrc);
    }
    expect(videoSsrcs.size).toBe(3);
    expect(viewers[0]!.lastState?.mainPeerId).toBe(host.joined.peerId);
    expect(viewers[0]!.streams.filter((x) => x.slot === 'main').map((x) => x.kind).sort()).toEqual(['audio', 'video']);
  });
});

describe('roles and seats', () => {
  it('refuses a viewer who tries to publish', async () => {
    const r = await relay();
    const s = await createSession(r);
    const viewer = await join(r, s.code, '王老师', '五小');
    const err = await viewer.publish({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).code).toBe('VIEWER_CANNOT_PUBLISH');
  });

  it('enforces the seat limit with a clear refusal', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '试讲', kind: 'trial', seats: 1 });
    const a = await join(r, s.code, '甲', '一小');
    const b = await join(r, s.code, '乙', '二小');
    await a.takeSeat();
    const err = await b.takeSeat().catch((e: unknown) => e);
    expect((err as RefusedError).code).toBe('SEAT_FULL');
    await until(() => b.lastState?.seats.taken === 1, 'state shows the seat taken');
  });

  it('lets a seat holder publish and makes the first one the main venue when the host does not publish', async () => {
    const r = await relay();
    const s = await createSession(r);
    const speaker = await join(r, s.code, '李老师', '三小');
    const viewer = await join(r, s.code, '赵老师', '四小');
    await speaker.takeSeat();
    cleanups.push(await publishClip(speaker));
    await until(() => viewer.lastState?.mainVenue === '三小', 'main venue');
    await until(() => [...viewer.received.values()].some((n) => n > 30), 'media at the viewer');
  });
});

describe('invite codes', () => {
  it('rejects a wrong code and a wrong host key', async () => {
    const r = await relay();
    const s = await createSession(r);
    await expect(ParticipantClient.connect({ relay: r.running.url, code: '000-000-000', name: 'x', venue: 'y', ca: r.ca })).rejects.toMatchObject({ code: 'CODE_UNKNOWN' });
    await expect(ParticipantClient.connect({ relay: r.running.url, code: s.code, name: 'x', venue: 'y', ca: r.ca, hostKey: 'x'.repeat(32) })).rejects.toMatchObject({ code: 'HOST_KEY_WRONG' });
  });

  it('rate-limits failed look-ups per address', async () => {
    const r = await relay();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api(r, 'GET', `/api/join/11122233${i % 10}`, undefined, null)).status);
    expect(statuses.slice(0, 10).every((x) => x === 404)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('keeps codes working after a restart and stops an ended session’s code', async () => {
    const first = await startTestRelay();
    const s = await createSession(first);
    await first.running.close();
    const again = await startTestRelay(first.dataDir);
    cleanups.push(() => again.running.close());
    expect((await api(again, 'GET', `/api/join/${s.code}`, undefined, null)).status).toBe(200);
    expect((await api(again, 'DELETE', `/api/sessions/${s.code}`)).status).toBe(200);
    expect((await api(again, 'GET', `/api/join/${s.code}`, undefined, null)).status).toBe(410);
  });

  it('refuses the admin API without the token', async () => {
    const r = await relay();
    expect((await api(r, 'GET', '/api/sessions', undefined, null)).status).toBe(401);
    expect((await api(r, 'GET', '/api/sessions', undefined, 'wrong-token-wrong-token')).status).toBe(401);
  });
});

describe('loss on the way to a viewer', () => {
  it('repairs 5 % packet loss with NACKs answered by the relay', async () => {
    const r = await relay();
    const s = await createSession(r);
    const host = await join(r, s.code, '张老师', '教育中心', s.hostKey);
    const lossy = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name: '远端', venue: '村小', ca: r.ca, debugKeepPercent: 95 });
    cleanups.push(() => lossy.close());
    const seqs = new Set<number>();
    let first: number | undefined;
    let last = 0;
    lossy.eachTrack((t) => {
      if (t.kind !== 'video') return;
      t.track.onReceiveRtp.subscribe((p) => {
        const q = p.header.sequenceNumber;
        first ??= q;
        seqs.add(q);
        last = Math.max(last, q);
      });
    });
    cleanups.push(await publishClip(host));
    await until(() => seqs.size > 600, 'video at the lossy viewer', 30_000);
    // Ignore the newest packets, whose repairs may still be on the way.
    const end = last - 60;
    let expected = 0;
    let got = 0;
    for (let q = first!; q <= end; q++) {
      expected++;
      if (seqs.has(q)) got++;
    }
    expect(got / expected).toBeGreaterThan(0.99);
    const metrics = await text(r, '/metrics');
    const nacks = Number(/^jiaoyan_nacks_total (\d+)/m.exec(metrics)?.[1]);
    expect(nacks).toBeGreaterThan(0);
    expect(metrics).toMatch(/^jiaoyan_rtp_packets_total\{direction="out"\} [1-9]\d*/m);
  });
});
