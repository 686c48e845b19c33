// A real relay under fuzz: ≥ 10,000 random and mutated signaling messages, garbage SDP, floods, oversize
// frames, peers that vanish mid-handshake and crowds of connections. Each bad message gets an `error` or a
// close of its own socket; a well-behaved observer stays connected and answered throughout; afterwards a fresh
// publisher and viewer (and a viewer that lived through it all) exchange media. Seeded: FUZZ_SEED=<n> to vary.
import { request } from 'node:https';
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { clientPeerConfig } from '../../src/relay/media-config.js';
import { localSdp } from '../../src/relay/negotiation.js';
import type { ServerMessage } from '../../src/signaling/protocol.js';
import { keyOf, Tally } from '../helpers/fuzz-oracle.js';
import { joinCrowd, rawConnections } from '../helpers/fuzz-raw.js';
import { fuzzSeed, Rng } from '../helpers/fuzz-rng.js';
import { flooder, insider, outsider, oversize, runEpisodes, vanisher, type Episode, type FuzzTarget } from '../helpers/fuzz-scenarios.js';
import { DocClient } from '../helpers/doc-client.js';
import { FuzzSocket, unsolicited } from '../helpers/fuzz-socket.js';
import { api, createSession, publishClip, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

/** A real publishing offer (audio + video, sendonly) from a werift peer. */
async function realOffer(): Promise<string> {
  const pc = new RTCPeerConnection(clientPeerConfig('127.0.0.1'));
  pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = await localSdp(pc);
  await pc.close();
  return sdp;
}

/**
 * A well-behaved viewer on its own address: pings ten times a second (one ping in flight at most, far below the
 * flood limit) and records every pong, error, `ended` and close.
 */
class Observer {
  pings = 0;
  pongs = 0;
  maxRoundTripMs = 0;
  lastState: Extract<ServerMessage, { type: 'state' }> | undefined;
  readonly trouble: string[] = [];
  #sentAt = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(readonly socket: FuzzSocket) {}

  static async join(r: TestRelay, code: string): Promise<Observer> {
    const socket = await FuzzSocket.open({ url: r.running.url, ca: r.ca, from: '127.0.0.1' });
    socket.json({ type: 'join', code, name: '观察员', venue: '教育中心' });
    await socket.expect('joined', 'observer join');
    const o = new Observer(socket);
    socket.watch((e) => {
      if (e.type === 'close') return void o.trouble.push(`closed ${e.code} ${e.reason}`);
      const m = e.message;
      if (m.type === 'pong') {
        if (m.t !== o.pongs + 1) o.trouble.push(`pong ${String(m.t)} after ${o.pongs}`);
        o.pongs++;
        o.maxRoundTripMs = Math.max(o.maxRoundTripMs, Date.now() - o.#sentAt);
      } else if (m.type === 'state') o.lastState = m;
      else if (!unsolicited(m)) o.trouble.push(keyOf(e));
    });
    o.#timer = setInterval(() => o.#ping(), 100);
    return o;
  }

  #ping(): void {
    if (this.pongs < this.pings || !this.socket.open) return;
    this.#sentAt = Date.now();
    this.socket.json({ type: 'ping', t: ++this.pings });
  }

  /** One more ping answered from now on. */
  async answered(what: string): Promise<void> {
    const want = this.pings + 1;
    await until(() => this.pongs >= want, `the observer's pong ${what}`, 30_000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

function getRaw(r: TestRelay, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(r.running.url);
  return new Promise((resolve, reject) => {
    // `path` goes on the request line exactly as written (new URL() would resolve the dots first).
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', ca: r.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const repeat = (n: number, id: string, e: Episode) => Array.from({ length: n }, (_, i) => [`${id}#${i}`, e] as const);

describe('the relay under fuzz', () => {
  it('answers every bad message with an error or a close of that socket only, and still carries media afterwards', async () => {
    const seed = fuzzSeed();
    console.log(`relay fuzz seed: ${seed} (FUZZ_SEED=${seed} reproduces the messages)`);
    const rng = new Rng(seed);
    const crashes: string[] = [];
    const onCrash = (err: unknown) => crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    cleanups.push(() => void process.off('uncaughtException', onCrash).off('unhandledRejection', onCrash));
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

    const r = await relay();
    const s = await createSession(r);
    const observer = await Observer.join(r, s.code);
    cleanups.push(() => observer.stop());
    const veteran = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name: '老教师', venue: '一小', ca: r.ca });
    cleanups.push(() => veteran.close());
    const veteranTrouble: string[] = [];
    veteran.on('error', (m) => veteranTrouble.push(`error ${m.code}`)).on('ended', (why) => veteranTrouble.push(`ended ${why}`));
    veteran.on('closed', () => veteranTrouble.push('closed'));
    await until(() => r.running.relay.peerCount === 2, 'observer and veteran joined');

    const tally = new Tally();
    const t: FuzzTarget = {
      url: r.running.url, ca: r.ca, code: s.code, hostKey: s.hostKey, offer: await realOffer(), tally,
      from: { outside: '127.0.0.2', inside: '127.0.0.3', floods: '127.0.0.4' },
    };

    // Everything at once, 24 sockets at a time, in a seeded order.
    const episodes = [
      ...repeat(560, 'outsider', outsider(36)), ...repeat(40, 'insider', insider(12)), ...repeat(48, 'vanisher', vanisher),
      ...repeat(9, 'flood', flooder(300)), ...repeat(12, 'oversize', oversize),
    ];
    for (let i = episodes.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [episodes[i], episodes[j]] = [episodes[j]!, episodes[i]!];
    }
    await runEpisodes(rng, t, episodes, 24);
    await observer.answered('after the mixed fuzz');
    // Many connections at once: 200 outsiders with one frame each, a crowd that joins and vanishes together.
    await runEpisodes(rng, t, repeat(200, 'crowd-outsider', outsider(1)), 200);
    await joinCrowd(t, 30);
    await rawConnections(rng.fork(), t, '127.0.0.5');
    await observer.answered('after the crowds');
    console.log(`relay fuzz: ${tally.summary()}; observer ${observer.pongs} pongs, slowest ${observer.maxRoundTripMs} ms`);

    expect(tally.violations).toEqual([]);
    expect(tally.generated).toBeGreaterThanOrEqual(10_000);
    // Every participant the fuzz created is gone; the observer and the veteran are still there.
    await until(() => r.running.relay.peerCount === 2, 'fuzz participants to leave');
    expect([...r.running.relay.sessions.get(s.id)!.participants.values()].map((p) => p.name).sort()).toEqual(['老教师', '观察员'].sort());
    expect((await api(r, 'GET', '/healthz', undefined, null)).json).toMatchObject({ ok: true });
    expect((await getRaw(r, '/metrics')).body).toMatch(/^jiaoyan_peers 2$/m);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // A fresh host publishes; a fresh viewer and the veteran both receive its audio and video.
    const host = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name: '张老师', venue: '教育中心', hostKey: s.hostKey, ca: r.ca });
    cleanups.push(() => host.close());
    const viewer = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name: '王老师', venue: '二小', ca: r.ca });
    cleanups.push(() => viewer.close());
    cleanups.push(await publishClip(host));
    await until(() => observer.lastState?.mainPeerId === host.joined.peerId, 'the fresh host to become the main venue');
    const mainMids = (c: ParticipantClient) => c.streams.filter((x) => x.slot === 'main').map((x) => x.mid);
    for (const c of [viewer, veteran]) {
      await until(() => mainMids(c).length === 2 && mainMids(c).every((mid) => (c.received.get(mid) ?? 0) > 0), `media at ${c.joined.peerId}`);
      const before = mainMids(c).map((mid) => c.received.get(mid)!);
      await until(() => mainMids(c).every((mid, i) => c.received.get(mid)! > before[i]! + 50), `media still flowing at ${c.joined.peerId}`);
    }

    // Shared documents fuzzed with garbage updates still work: two editors of the same one converge.
    const editors = await Promise.all(['甲', '乙'].map((n) => DocClient.connect({ url: r.running.url, ca: r.ca, code: s.code, name: `编辑${n}` })));
    for (const e of editors) cleanups.push(() => e.close());
    editors[0]!.replica.text.insert(0, '【fuzz 之后】');
    await editors[1]!.replica.textWhere((text) => text.startsWith('【fuzz 之后】'));

    await observer.answered('at the end');
    observer.stop();
    expect(observer.trouble).toEqual([]);
    expect(observer.socket.violations).toEqual([]);
    expect(veteranTrouble).toEqual([]);
    expect(crashes).toEqual([]);
  });

  it('refuses path traversal on the static routes of the real HTTPS server (4xx, never a file outside the web root)', async () => {
    const r = await relay();
    expect((await getRaw(r, '/')).status).toBe(200);
    const attempts = [
      '/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/j/..%2f..%2fpackage.json', '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/%252e%252e/%252e%252e/package.json',
      '/assets/..%5c..%5cpackage.json', '/assets/..\\..\\package.json', '/..%00/package.json', '/assets/main.js%00.html',
      '//etc/passwd', '/assets//etc/passwd', '/%2fetc%2fpasswd', '/./package.json', '/assets/....//....//package.json',
      '/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json', '/j/123/../../package.json', '/j/123%2f..%2f..%2fpackage.json',
      '/package.json', '/tsconfig.json', '/.git/config', '/src/server/relay-server.ts', '/C:/Windows/win.ini',
      '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    ];
    for (const path of attempts) {
      const res = await getRaw(r, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body, path).not.toMatch(/"dependencies"|"compilerOptions"|root:x?:0:0|\[core\]|startRelay/);
    }
  });
});
