// A county and a school joined by a "WAN": two network namespaces and a veth pair (root). Relays, publishers and
// viewers run as real processes inside them (`ip netns exec`), so the bytes on the WAN interface are the bytes a
// school's thin link would carry. The link can be cut (interface down) and restored.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BIN, tempDir } from './cli.js';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const VIEWERS = fileURLToPath(new URL('./wan-viewers.ts', import.meta.url));

export type Side = 'county' | 'school';

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
  readonly caFile: string;
}

/** Viewers in one process (test/helpers/wan-viewers.ts): their packet counts, updated twice a second. */
export interface ViewerGroup {
  readonly child: ChildProcess;
  counts: { audio: number; video: number }[];
}

export class Wan {
  readonly ns: Record<Side, string>;
  readonly dev: Record<Side, string>;
  readonly addr: Record<Side, string>;
  readonly #children: ChildProcess[] = [];

  private constructor(tag: string, subnet: number) {
    this.ns = { county: `jyc-${tag}`, school: `jys-${tag}` };
    this.dev = { county: `jyc${tag}`, school: `jys${tag}` };
    this.addr = { county: `10.${subnet}.0.1`, school: `10.${subnet}.0.2` };
  }

  /** Two namespaces with loopback up and a veth pair between them (10.x.0.1 county, 10.x.0.2 school). */
  static create(): Wan {
    const tag = randomBytes(3).toString('hex');
    const wan = new Wan(tag, 100 + (parseInt(tag, 16) % 150));
    const { ns, dev, addr } = wan;
    ip('netns', 'add', ns.county);
    ip('netns', 'add', ns.school);
    ip('link', 'add', dev.county, 'netns', ns.county, 'type', 'veth', 'peer', 'name', dev.school, 'netns', ns.school);
    for (const side of ['county', 'school'] as const) {
      ip('-n', ns[side], 'link', 'set', 'lo', 'up');
      ip('-n', ns[side], 'addr', 'add', `${addr[side]}/24`, 'dev', dev[side]);
      ip('-n', ns[side], 'link', 'set', dev[side], 'up');
    }
    return wan;
  }

  /** Bytes the county side has sent over the WAN (towards the school) so far. */
  bytesToSchool(): number {
    const out = execFileSync('ip', ['-n', this.ns.county, '-s', '-j', 'link', 'show', 'dev', this.dev.county], { encoding: 'utf8' });
    const [link] = JSON.parse(out) as { stats64: { tx: { bytes: number } } }[];
    return link!.stats64.tx.bytes;
  }

  /** Cut the WAN (the school's end goes down) or restore it. */
  setLink(up: boolean): void {
    ip('-n', this.ns.school, 'link', 'set', this.dev.school, up ? 'up' : 'down');
  }

  /** A process inside a namespace, killed by close(). */
  spawnIn(side: Side, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns[side], process.execPath, ...args], {
      env: { ...process.env, LANG: 'en_US.UTF-8', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', () => undefined);
    this.#children.push(child);
    return child;
  }

  /** `jiaoyan <args>` inside a namespace, to its end: stdout parsed as JSON. */
  async cli(side: Side, args: string[], dataDir: string): Promise<Record<string, unknown>> {
    const child = this.spawnIn(side, [BIN, ...args], { JIAOYAN_HOME: dataDir });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`jiaoyan ${args.join(' ')} exited ${code}: ${out}`);
    return JSON.parse(out) as Record<string, unknown>;
  }

  /** `jiaoyan relay start` on a side's WAN address, resolved once it listens. */
  async relay(side: Side, extra: string[] = []): Promise<RelayProcess> {
    const dataDir = tempDir();
    const child = this.spawnIn(side, [BIN, '--json', 'relay', 'start', '--no-tui', '--no-announce', '--port', '8443', '--bind', this.addr[side], ...extra], { JIAOYAN_HOME: dataDir });
    const line = await firstLine(child, (l) => l.includes('"listening"'));
    const { url } = JSON.parse(line) as { url: string };
    return { child, url, dataDir, caFile: join(dataDir, 'tls', 'ca.pem') };
  }

  /** Viewers on `relay`, in one process inside `side`. */
  async viewers(side: Side, relay: RelayProcess, code: string, n: number): Promise<ViewerGroup> {
    const child = this.spawnIn(side, ['--import', 'tsx', VIEWERS, relay.url, code, relay.caFile, String(n)]);
    const group: ViewerGroup = { child, counts: [] };
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const m = JSON.parse(l) as { event: string; viewers?: { audio: number; video: number }[] };
      if (m.event === 'counts') group.counts = m.viewers!;
    });
    await firstLine(child, (l) => l.includes('"counts"'));
    return group;
  }

  /** RTP bytes a relay has received from its publishers so far (its /metrics), read from inside its namespace. */
  async rtpBytesIn(side: Side, relay: RelayProcess): Promise<number> {
    const script = `const https=require('node:https');const fs=require('node:fs');https.get(process.argv[1],{ca:fs.readFileSync(process.argv[2])},(r)=>{let b='';r.on('data',(c)=>b+=c);r.on('end',()=>process.stdout.write(b))}).on('error',(e)=>{console.error(e.message);process.exit(1)})`;
    const child = this.spawnIn(side, ['-e', script, `${relay.url}/metrics`, relay.caFile]);
    let text = '';
    child.stdout!.on('data', (c: Buffer) => (text += c.toString('utf8')));
    await new Promise((resolve) => child.once('close', resolve));
    const m = /^jiaoyan_rtp_bytes_total\{direction="in"\} (\d+)/m.exec(text);
    if (!m) throw new Error(`no jiaoyan_rtp_bytes_total in /metrics: ${text.slice(0, 200)}`);
    return Number(m[1]);
  }

  /** Stop every process started here and delete the namespaces (and with them the veth pair). */
  async close(): Promise<void> {
    await Promise.all(this.#children.map((c) => stop(c)));
    for (const n of Object.values(this.ns)) {
      try {
        ip('netns', 'del', n);
      } catch {
        // already gone
      }
    }
  }
}

/** How long a process may take to stop on SIGTERM before it is killed (a deadline, not a wait). */
const KILL_AFTER_MS = 5_000;

/** Stop a process (SIGTERM, then SIGKILL after KILL_AFTER_MS); resolves when it has exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  await exited;
  clearTimeout(timer);
}

/** The first stdout line matching `match` (rejects if the process exits first). */
export function firstLine(child: ChildProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2000)));
    rl.on('line', (l) => {
      if (match(l)) resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before the expected line: ${stderr}`)));
  });
}

export function readCa(relay: RelayProcess): string {
  return readFileSync(relay.caFile, 'utf8');
}
