// LAN discovery end to end with the real binary, in network namespaces of its own (the host's network is left
// alone): a relay announces itself over mDNS, `relay list` finds it — and rejects what a hostile neighbour forges —
// `join <code>` with no relay known finds it and pins its CA, the goodbye takes it off the LAN; a relay with no
// multicast route, or without port 5353, still runs.
import { type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { createNetns, type Netns } from '../helpers/netns.js';

const TOOL = 'test/helpers/mdns-tool.ts';
const namespaces: Netns[] = [];
const children: ChildProcess[] = [];

/** Resolve with the first NDJSON line on `stream` (stdout by default) that satisfies `match`. */
function waitForLine(child: ChildProcess, match: (line: string) => boolean, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child[stream]! });
    rl.on('line', (line) => {
      if (!match(line)) return;
      rl.close();
      resolve(line);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before the line`)));
  });
}

function waitForEvent(child: ChildProcess, match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return waitForLine(child, (line) => {
    try {
      return match(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return false;
    }
  }).then((line) => JSON.parse(line) as Record<string, unknown>);
}

function track(child: ChildProcess): ChildProcess {
  children.push(child);
  return child;
}

/** SIGTERM and the exit code. */
function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const gone = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return gone;
}

function netns(loopback: 'multicast' | 'down'): Netns {
  const ns = createNetns(loopback);
  namespaces.push(ns);
  return ns;
}

interface Listed {
  name: string;
  url: string;
  caFingerprint?: string;
  address: string;
}

afterAll(async () => {
  await Promise.all(children.map(stop));
  for (const ns of namespaces) ns.remove();
});

describe('relays on the LAN (mDNS)', () => {
  let ns: Netns;
  let home: string;
  let relay: ChildProcess;
  let url: string;
  let quietUrl: string;

  beforeAll(async () => {
    ns = netns('multicast');
    home = tempDir();
    relay = track(ns.spawnCli(['relay', 'start', '--json', '--port', '0'], { JIAOYAN_HOME: home }));
    // A second relay that keeps quiet: it must not be listed.
    const quiet = track(ns.spawnCli(['relay', 'start', '--json', '--port', '0', '--tls', 'off', '--no-announce'], { JIAOYAN_HOME: tempDir() }));
    const [listening, quietListening] = await Promise.all([waitForEvent(relay, (e) => e.event === 'listening'), waitForEvent(quiet, (e) => e.event === 'listening')]);
    url = String(listening.url);
    quietUrl = String(quietListening.url);
  });

  it('lists the announced relay with its URL and CA fingerprint, and none of the forged answers', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const hostile = track(ns.spawnTs(TOOL, ['hostile']));
    await waitForEvent(hostile, (e) => e.event === 'ready');
    const r = await ns.runCli(['relay', 'list', '--json'], { JIAOYAN_HOME: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const { relays } = JSON.parse(r.stdout) as { relays: Listed[] };
    const ca = new X509Certificate(readFileSync(join(home, 'tls', 'ca.pem')));
    const port = new URL(url).port;
    expect([...relays].sort((a, b) => a.url.localeCompare(b.url))).toEqual([
      { name: 'decoy', url: 'https://10.9.9.9:6', address: '10.9.9.9' },
      { name: expect.stringMatching(new RegExp(` \\(${port}\\)$`)), url, caFingerprint: createHash('sha256').update(ca.raw).digest('hex'), address: '127.0.0.1' },
    ]);
    expect(relays.map((x) => x.url)).not.toContain(quietUrl);
    expect(await stop(hostile)).toBe(null); // still running when stopped: the garbage it sent broke nothing
    expect(relay.exitCode).toBe(null);
  });

  it('prints the relays for people', async () => {
    const r = await ns.runCli(['relay', 'list', '--timeout', '500'], { JIAOYAN_HOME: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(url);
  });

  it('joins by invite code alone: finds the relay on the LAN and trusts the CA it announced', async () => {
    const started = await ns.runCli(['session', 'start', '--title', '局域网教研', '--json'], { JIAOYAN_HOME: home });
    expect(started.code, started.stderr).toBe(0);
    const { code } = JSON.parse(started.stdout) as { code: string };
    const r = await ns.runCli(['join', code, '--duration', '2', '--json'], { JIAOYAN_HOME: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(events[0]).toMatchObject({ event: 'joined', role: 'viewer', session: { title: '局域网教研' } });
    expect(events.at(-1)).toMatchObject({ event: 'left', reason: 'duration' });
    expect(r.stderr).toContain(`using the relay "`);
    expect(r.stderr).toContain(url);
  });

  it('says goodbye when it stops: watchers drop it, and `relay list` no longer shows it', async () => {
    const watcher = track(ns.spawnTs(TOOL, ['watch']));
    const found = await waitForEvent(watcher, (e) => e.event === 'found' && e.url === url);
    const gone = waitForEvent(watcher, (e) => e.event === 'gone' && e.name === found.name);
    expect(await stop(relay)).toBe(0);
    await gone;
    await stop(watcher);
    const r = await ns.runCli(['relay', 'list', '--json'], { JIAOYAN_HOME: tempDir() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ relays: [] });
    const human = await ns.runCli(['relay', 'list', '--timeout', '300'], { JIAOYAN_HOME: tempDir() });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('no relay found on the LAN');
  });

  it('join without a relay anywhere says so (exit 3)', async () => {
    const r = await ns.runCli(['join', '482-193-775', '--duration', '1', '--json'], { JIAOYAN_HOME: tempDir() });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ event: 'error', code: 'LAN_NO_RELAY' });
  });
});

describe('a relay where mDNS cannot work still runs', () => {
  it('with no multicast route (loopback down): logs, serves, stops with exit 0', async () => {
    const ns = netns('down');
    const relay = track(ns.spawnCli(['relay', 'start', '--json', '--port', '0', '--tls', 'off'], { JIAOYAN_HOME: tempDir(), DEBUG: 'jiaoyan:lan' }));
    const failed = waitForLine(relay, (l) => l.includes('mDNS send failed'), 'stderr');
    await waitForEvent(relay, (e) => e.event === 'listening');
    await failed;
    const list = await ns.runCli(['relay', 'list', '--json', '--timeout', '300'], { JIAOYAN_HOME: tempDir() });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({ relays: [] });
    expect(await stop(relay)).toBe(0);
  });

  it('with port 5353 taken: logs, serves, stops with exit 0; `relay list` still runs', async () => {
    const ns = netns('multicast');
    const holder = track(ns.spawnTs(TOOL, ['hold']));
    await waitForEvent(holder, (e) => e.event === 'ready');
    const home = tempDir();
    const relay = track(ns.spawnCli(['relay', 'start', '--json', '--port', '0', '--tls', 'off'], { JIAOYAN_HOME: home, DEBUG: 'jiaoyan:lan' }));
    const unavailable = waitForLine(relay, (l) => l.includes('mDNS unavailable'), 'stderr');
    await waitForEvent(relay, (e) => e.event === 'listening');
    await unavailable;
    const status = await ns.runCli(['relay', 'status', '--json'], { JIAOYAN_HOME: home });
    expect(status.code, status.stderr).toBe(0);
    const list = await ns.runCli(['relay', 'list', '--json', '--timeout', '300'], { JIAOYAN_HOME: tempDir() });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({ relays: [] });
    expect(await stop(relay)).toBe(0);
    await stop(holder);
  });
});
