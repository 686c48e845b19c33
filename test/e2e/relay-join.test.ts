// The real binary end to end: relay start → session start → join --publish → join --record → ffprobe.
import { type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { probeJson } from '../helpers/media.js';
import { testClip } from '../helpers/relay.js';
import { execFileSync } from 'node:child_process';
import { ffprobe } from '../helpers/media.js';

let home: string;
let relay: ChildProcess;
let url: string;
let port: number;
const children: ChildProcess[] = [];

/** Resolve with the first NDJSON line on stdout that satisfies `match`. */
function waitForEvent(child: ChildProcess, match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        if (match(e)) {
          rl.close();
          resolve(e);
        }
      } catch {
        // not JSON: human text, ignore
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before the event`)));
  });
}

beforeAll(async () => {
  home = tempDir();
  relay = spawnCli(['relay', 'start', '--port', '0', '--bind', '127.0.0.1', '--json'], { env: { JIAOYAN_HOME: home } });
  const listening = await waitForEvent(relay, (e) => e.event === 'listening');
  url = String(listening.url);
  port = Number(listening.port);
});

/** Stop a child the way a user would (SIGTERM: it stops its own ffmpeg) and wait until it is gone. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return gone;
}

afterAll(async () => {
  await Promise.all(children.map(stop));
  await stop(relay);
});

describe('relay, sessions and headless participants', () => {
  it('keeps the admin token private and says where it listens', () => {
    expect(statSync(join(home, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('publishes a generated clip and records what a viewer sees', async () => {
    const started = await runCli(['session', 'start', '--title', '四年级语文试讲', '--kind', 'trial', '--json'], { env: { JIAOYAN_HOME: home } });
    expect(started.code).toBe(0);
    const s = JSON.parse(started.stdout) as { code: string; url: string; hostKey: string; seats: number };
    expect(s.code).toMatch(/^\d{3}-\d{3}-\d{3}$/);
    expect(s.url).toBe(`${url}/j/${s.code.replace(/-/g, '')}`);
    expect(s.seats).toBe(9);
    expect(s.hostKey.length).toBeGreaterThanOrEqual(22);

    const publisher = spawnCli(['join', s.url, '--host-key', s.hostKey, '--publish', await testClip(), '--loop', '--name', '张老师', '--venue', '教育中心', '--json', '--duration', '30'],
      { env: { JIAOYAN_HOME: home } });
    children.push(publisher);
    await waitForEvent(publisher, (e) => e.event === 'publishing');

    const out = join(tempDir(), 'seen.webm');
    const viewer = await runCli(['join', s.code, '--record', out, '--duration', '10', '--name', '李老师', '--venue', '三小', '--json'], { env: { JIAOYAN_HOME: home } });
    expect(viewer.code).toBe(0);
    const events = viewer.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(events[0]).toMatchObject({ event: 'joined', role: 'viewer' });
    expect(events.filter((e) => e.event === 'track')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ event: 'left', reason: 'duration' });
    const info = await probeJson(out);
    expect(info.streams.map((x) => x.codec_name).sort()).toEqual(['opus', 'vp8']);
    const frames = execFileSync(ffprobe(), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out]).toString().trim();
    expect(frames, 'decoded video frames').toMatch(/^\d+$/);
    expect(Number(frames)).toBeGreaterThan(30);
    const audio = execFileSync(ffprobe(), ['-v', 'error', '-count_packets', '-select_streams', 'a:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', out]).toString().trim();
    expect(Number(audio)).toBeGreaterThan(100);
    await stop(publisher);
  });

  it('exits 4 for an unknown invite code', async () => {
    const r = await runCli(['join', '000-000-001', '--duration', '1'], { env: { JIAOYAN_HOME: home } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('000-000-001');
  });

  it('lists and ends sessions; an ended code is refused', async () => {
    const s = JSON.parse((await runCli(['session', 'start', '--title', '会议', '--json'], { env: { JIAOYAN_HOME: home } })).stdout) as { code: string };
    const list = JSON.parse((await runCli(['session', 'list', '--json'], { env: { JIAOYAN_HOME: home } })).stdout) as { sessions: { code: string }[] };
    expect(list.sessions.map((x) => x.code)).toContain(s.code);
    expect((await runCli(['session', 'end', s.code], { env: { JIAOYAN_HOME: home } })).code).toBe(0);
    const r = await runCli(['join', s.code, '--duration', '1', '--json'], { env: { JIAOYAN_HOME: home } });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ event: 'error', code: 'SESSION_ENDED' });
  });

  it('refuses a second relay on the same port with exit 3', async () => {
    const r = await runCli(['relay', 'start', '--port', String(port), '--bind', '127.0.0.1'], { env: { JIAOYAN_HOME: tempDir() } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(String(port));
  });

  it('stops gracefully on SIGTERM with exit 0', async () => {
    const h = tempDir();
    const r = spawnCli(['relay', 'start', '--port', '0', '--bind', '127.0.0.1', '--json'], { env: { JIAOYAN_HOME: h } });
    await waitForEvent(r, (e) => e.event === 'listening');
    const exited = new Promise<number | null>((resolve) => r.on('exit', (code) => resolve(code)));
    r.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(h, 'relay.json'))).toBe(false);
  });
});
