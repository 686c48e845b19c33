// Helpers for relay tests: start a relay on loopback, call its admin API trusting its own CA, feed a publisher.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { MediaStreamTrack } from 'werift';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { RtpSource } from '../../src/client/rtp-source.js';
import { startRelay, type RelayOptions, type RunningRelay } from '../../src/server/relay-server.js';
import { tempDir } from './cli.js';
import { cached } from './media.js';

export interface TestRelay {
  running: RunningRelay;
  dataDir: string;
  ca: string;
  token: string;
}

/** A relay on loopback (any free port unless `opts` says), with its CA and admin token. */
export async function startTestRelay(dataDir = tempDir(), opts: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const running = await startRelay({ dataDir, port: 0, bind: '127.0.0.1', ...opts });
  return {
    running, dataDir,
    ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'),
    token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(),
  };
}

export function api(r: TestRelay, method: string, path: string, body?: unknown, token: string | null = r.token): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, r.running.url);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, {
      method, ca: r.ca,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(data ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** GET a text resource (e.g. /metrics) trusting the relay's CA. */
export function text(r: TestRelay, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(new URL(path, r.running.url), { ca: r.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    }).on('error', reject).end();
  });
}

export async function createSession(r: TestRelay, body: Record<string, unknown> = { title: '三年级数学教研', kind: 'prep' }) {
  const res = await api(r, 'POST', '/api/sessions', body);
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as { id: string; code: string; url: string; hostKey: string; seats: number };
}

/** A 320x240 test clip with a tone, generated once. */
export function testClip(): Promise<string> {
  return cached('relay-clip', '.mp4', ['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=10', '-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=10',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
}

/** A running clip: call it to stop; `sent` counts the RTP packets written so far. */
export type PublishedClip = (() => void) & { readonly sent: { audio: number; video: number } };

/** Publish a looping generated clip from `client` (VP8, or H.264 for a client made with publishVideo 'h264'). */
export async function publishClip(client: ParticipantClient, videoCodec: 'vp8' | 'h264' = 'vp8'): Promise<PublishedClip> {
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  await client.publish({ audio, video });
  await client.publisherConnected();
  const sent = { audio: 0, video: 0 };
  const source = await RtpSource.start({
    file: await testClip(), loop: true, videoCodec,
    onPacket: (kind, packet) => {
      sent[kind]++;
      (kind === 'audio' ? audio : video).writeRtp(packet);
    },
  });
  return Object.assign(() => source.close(), { sent });
}

/**
 * The session's host (张老师 of 实验小学 unless named) connected and publishing the test clip as the main venue;
 * both are stopped by the test's clean-ups.
 */
export async function publishingHost(r: TestRelay, s: { code: string; hostKey: string }, cleanups: (() => void | Promise<void>)[], name = '张老师', venue = '实验小学') {
  const host = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name, venue, hostKey: s.hostKey, ca: r.ca });
  cleanups.push(() => host.close());
  const clip = await publishClip(host);
  cleanups.push(clip);
  await host.stateWhere((st) => st.mainVenue === venue);
  return { host, clip };
}

/**
 * Wait while `seconds` more of the clip are published (its sound: 50 packets a second, played in real time):
 * for tests that need seconds of lesson in a recording. Progress of the sender, not a fixed sleep.
 */
export function lessonTime(clip: PublishedClip, seconds: number): Promise<void> {
  const target = clip.sent.audio + Math.round(seconds * 50);
  return until(() => clip.sent.audio >= target, `${seconds} s of the clip`, seconds * 1000 + 20_000);
}

/** Resolve when `check` is true, polling every 20 ms; reject after `ms`. */
export async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Per-test clean-ups, run in reverse order after each test, and a loopback relay that is closed with them.
 * Call once at the top of a test file.
 */
export function relayFixture(): { cleanups: (() => void | Promise<void>)[]; relay: (opts?: Partial<RelayOptions>) => Promise<TestRelay> } {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    /** A loopback relay for this test (`opts` for test-tunable options such as `docTiming`). */
    async relay(opts: Partial<RelayOptions> = {}) {
      const r = await startTestRelay(tempDir(), opts);
      cleanups.push(() => r.running.close());
      return r;
    },
  };
}
