// A viewer's subscribing connection that fails (DTLS or ICE) is replaced without a rejoin: by the relay when its side
// reports `failed`, or when the client asks (`resubscribe`) because its side failed first. Real werift peers through
// a real relay on loopback; the failures are real DTLS failures (a certificate that does not match the fingerprint
// the other side was given), made by tampering with the relay's signaling for one participant from the moment it
// joins. Restarts are bounded (3 a minute), and answers to replaced connections are ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient, type ReceivedTrack } from '../../src/client/participant-client.js';
import type { Participant } from '../../src/relay/participant.js';
import { startRelay } from '../../src/server/relay-server.js';
import type { ServerMessage } from '../../src/signaling/protocol.js';
import { tempDir } from '../helpers/cli.js';
import { createSession, publishClip, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

type Offer = Extract<ServerMessage, { type: 'subscribeOffer' }>;
type ErrorMessage = Extract<ServerMessage, { type: 'error' }>;

async function join2(r: TestRelay, code: string, name: string, venue: string, hostKey?: string): Promise<ParticipantClient> {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

/** Call `f` with the relay's participant named `name` as soon as it joins (before its first offer is made). */
function whenJoined(r: TestRelay, name: string, f: (p: Participant) => void): void {
  r.running.relay.observer.on('peerJoined', (sessionId, peerId) => {
    const p = r.running.relay.sessions.get(sessionId)?.participants.get(peerId);
    if (p?.name === name) f(p);
  });
}

/** The SDP with its DTLS fingerprints changed: the handshake completes, the certificate check after it fails. */
function wrongFingerprint(sdp: string): string {
  const out = sdp.replace(/^(a=fingerprint:sha-256 )([0-9A-F]{2})/gim, (_, head: string, byte: string) => head + (byte.toUpperCase() === '00' ? '11' : '00'));
  if (out === sdp) throw new Error('no sha-256 fingerprint in the SDP');
  return out;
}

/** The offers the relay sends this participant (relabels — the same version again — left out), and its errors. */
function recordSent(p: Participant): { offers: Offer[]; errors: ErrorMessage[] } {
  const sent = { offers: [] as Offer[], errors: [] as ErrorMessage[] };
  const send = p.send.bind(p);
  p.send = (m) => {
    if (m.type === 'subscribeOffer' && m.version !== sent.offers.at(-1)?.version) sent.offers.push(m);
    if (m.type === 'error') sent.errors.push(m);
    send(m);
  };
  return sent;
}

/** Main video packets the viewer receives on subscribing connection `connection` (counted from now on). */
function videoOn(viewer: ParticipantClient, connection: number): { packets: number } {
  const count = { packets: 0 };
  viewer.eachTrack((t: ReceivedTrack) => {
    if (t.connection === connection && t.kind === 'video' && t.slot === 'main') t.track.onReceiveRtp.subscribe(() => void count.packets++);
  });
  return count;
}

/** A relay with a host publishing the test clip, and the session's invite code. */
async function lesson(): Promise<{ r: TestRelay; code: string }> {
  const r = await relay();
  const s = await createSession(r);
  const host = await join2(r, s.code, '张老师', '教育中心', s.hostKey);
  cleanups.push(await publishClip(host));
  await host.stateWhere((st) => st.mainVenue === '教育中心');
  return { r, code: s.code };
}

describe('subscribing connection restarts', () => {
  it('replaces a connection the relay sees fail with a new one, and the viewer gets media again without rejoining', async () => {
    const { r, code } = await lesson();
    let sent!: ReturnType<typeof recordSent>;
    whenJoined(r, '王老师', (p) => {
      sent = recordSent(p);
      // The viewer's first answer names another certificate: the relay's DTLS check fails (werift: `failed`).
      const accept = p.acceptAnswer.bind(p);
      p.acceptAnswer = (sdp, version) => accept(version === 1 ? wrongFingerprint(sdp) : sdp, version);
    });
    const viewer = await join2(r, code, '王老师', '五小');
    const peerId = viewer.joined.peerId;
    const fresh = videoOn(viewer, 2);
    const errors: ErrorMessage[] = [];
    viewer.on('error', (e) => errors.push(e));

    await until(() => fresh.packets > 100, 'video on the new subscribing connection');
    expect(sent.offers.map((o) => ({ version: o.version, restart: o.restart ?? false }))).toEqual([
      { version: 1, restart: false },
      { version: 2, restart: true },
    ]);
    expect(viewer.connections).toBe(2);
    expect(viewer.tracks.map((t) => t.connection)).toEqual([2, 2]);
    // The same participant all along: no rejoin.
    const session = [...r.running.relay.sessions.values()][0]!;
    expect([...session.participants.values()].filter((p) => p.name === '王老师').map((p) => p.id)).toEqual([peerId]);
    const before = viewer.received.get(viewer.tracks.find((t) => t.kind === 'video')!.mid)!;
    await until(() => viewer.received.get(viewer.tracks.find((t) => t.kind === 'video')!.mid)! > before + 30, 'the counters going on');
    expect(errors).toEqual([]);
    expect(sent.errors).toEqual([]);
  });

  it('starts a new connection when the client asks (`resubscribe`) because its side failed first', async () => {
    const { r, code } = await lesson();
    const asked: (number | undefined)[] = [];
    let sent!: ReturnType<typeof recordSent>;
    whenJoined(r, '李老师', (p) => {
      // The first offer names another certificate: the client's DTLS check fails, the relay's side never notices.
      const send = p.send.bind(p);
      p.send = (m) => send(m.type === 'subscribeOffer' && m.version === 1 ? { ...m, sdp: wrongFingerprint(m.sdp) } : m);
      sent = recordSent(p);
      const resubscribe = p.resubscribe.bind(p);
      p.resubscribe = (version) => {
        asked.push(version);
        return resubscribe(version);
      };
    });
    const viewer = await join2(r, code, '李老师', '六小');
    const fresh = videoOn(viewer, 2);

    await until(() => fresh.packets > 100, 'video on the new subscribing connection');
    expect(asked).toEqual([1]);
    expect(sent.offers.map((o) => o.restart ?? false)).toEqual([false, true]);
    expect(viewer.connections).toBe(2);
    expect(sent.errors).toEqual([]);
  });

  it('allows 3 restarts a minute: the 4th is refused with SUBSCRIBE_RESTART_LIMIT, the 3rd restart’s connection carries the media', async () => {
    const { r, code } = await lesson();
    const viewer = await join2(r, code, '赵老师', '七小');
    const first = videoOn(viewer, 1);
    await until(() => first.packets > 30, 'video on the first connection');
    const errors: ErrorMessage[] = [];
    viewer.on('error', (e) => errors.push(e));

    // Back to back: each restart supersedes the one before while its answer is pending (those answers are stale).
    for (let i = 0; i < 4; i++) viewer.send({ type: 'resubscribe' });
    await until(() => errors.length > 0, 'the refusal');
    expect(errors.map((e) => ({ code: e.code, ref: e.ref, params: e.params }))).toEqual([
      { code: 'SUBSCRIBE_RESTART_LIMIT', ref: 'resubscribe', params: { count: 3 } },
    ]);
    const last = videoOn(viewer, 4);
    await until(() => last.packets > 100, 'video on the 4th connection');
    expect(viewer.connections).toBe(4);
    expect(errors).toHaveLength(1);
  });

  it('gives up with SUBSCRIBE_RESTART_LIMIT when the relay’s side keeps failing', async () => {
    const { r, code } = await lesson();
    let sent!: ReturnType<typeof recordSent>;
    whenJoined(r, '钱老师', (p) => {
      sent = recordSent(p);
      const accept = p.acceptAnswer.bind(p);
      p.acceptAnswer = (sdp, version) => accept(wrongFingerprint(sdp), version);
    });
    const viewer = await join2(r, code, '钱老师', '八小');
    const errors: ErrorMessage[] = [];
    viewer.on('error', (e) => errors.push(e));

    await until(() => errors.length > 0, 'the relay giving up');
    expect(errors.map((e) => ({ code: e.code, ref: e.ref }))).toEqual([{ code: 'SUBSCRIBE_RESTART_LIMIT', ref: undefined }]);
    expect(errors[0]!.message).toMatch(/3/);
    expect(sent.offers.map((o) => o.restart ?? false)).toEqual([false, true, true, true]);
    expect(viewer.connections).toBe(4);
  });

  it('ignores an answer to a replaced connection, even while the restart’s own answer is pending', async () => {
    const { r, code } = await lesson();
    const answers = new Map<number, string>();
    let held: (() => Promise<void>) | undefined;
    let participant!: Participant;
    whenJoined(r, '孙老师', (p) => {
      participant = p;
      const accept = p.acceptAnswer.bind(p);
      p.acceptAnswer = (sdp, version) => {
        answers.set(version, sdp);
        if (version !== 2) return accept(sdp, version);
        held = () => accept(sdp, version); // the restart's answer waits until the stale one was delivered
        return Promise.resolve();
      };
    });
    const viewer = await join2(r, code, '孙老师', '九小');
    const first = videoOn(viewer, 1);
    await until(() => first.packets > 30, 'video on the first connection');
    const errors: ErrorMessage[] = [];
    viewer.on('error', (e) => errors.push(e));

    viewer.send({ type: 'resubscribe', version: 1 });
    await until(() => held !== undefined, 'the answer to the restart');
    // The old connection's answer again, over the wire, while version 2 is awaited; the chat's ack orders it.
    viewer.send({ type: 'subscribeAnswer', sdp: answers.get(1)!, version: 1 });
    // And a `resubscribe` about the old connection, which the relay has already replaced: nothing happens.
    viewer.send({ type: 'resubscribe', version: 1 });
    await viewer.request({ type: 'chat', text: '听得见吗' });
    expect(errors).toEqual([]);
    await held!();
    const fresh = videoOn(viewer, 2);
    await until(() => fresh.packets > 100, 'video on the new connection');
    // A stale answer to the current connection changes nothing either.
    await participant.acceptAnswer(answers.get(1)!, 1);
    expect(viewer.connections).toBe(2);
    expect(errors).toEqual([]);
  });
});

describe('a school relay’s upstream link', () => {
  it('keeps its local viewers’ media going when the county restarts its subscribing connection', async () => {
    const { r: county, code } = await lesson();
    const dataDir = tempDir();
    const running = await startRelay({ dataDir, port: 0, bind: '127.0.0.1', upstream: { url: county.running.url, ca: county.ca, name: '三小中继' } });
    cleanups.push(() => running.close());
    const school: TestRelay = { running, dataDir, ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'), token: '' };
    const local = await join2(school, code, '周老师', '三小');
    const before = videoOn(local, 1);
    await until(() => before.packets > 30, 'video at the local viewer');

    const link = [...[...county.running.relay.sessions.values()][0]!.participants.values()].find((p) => p.name === '三小中继')!;
    await link.resubscribe();
    const at = before.packets;
    await until(() => before.packets > at + 100, 'video at the local viewer after the upstream restart');
    // The county sends on the new connection (fresh slots), and the link never dropped.
    expect(link.slotStats().filter((s) => s.kind === 'video').every((s) => s.packets > 0)).toBe(true);
    expect(running.upstream!.links().map((l) => l.reconnects)).toEqual([0]);
  });
});
