// A county and a school joined by a "WAN": two network namespaces and a veth pair (root). Relays, publishers and
// viewers run as real processes inside them (`ip netns exec`), so the bytes on the WAN interface are the bytes a
// school's thin link would carry. The link can be cut (interface down) and restored.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BIN, tempDir } from './cli.js';
import { VethPair } from './veth-pair.js';

export { stop } from './veth-pair.js';

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

export class Wan extends VethPair<Side> {
  private constructor(tag: string, subnet: number) {
    super(['county', 'school'], { county: [`jyc-${tag}`, `jyc${tag}`], school: [`jys-${tag}`, `jys${tag}`] },
      { county: `10.${subnet}.0.1`, school: `10.${subnet}.0.2` }, 24);
  }

  /** Two namespaces with loopback up and a veth pair between them (10.x.0.1 county, 10.x.0.2 school). */
  static create(): Wan {
    const tag = randomBytes(3).toString('hex');
    const wan = new Wan(tag, 100 + (parseInt(tag, 16) % 150));
    wan.setUp();
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
    execFileSync('ip', ['-n', this.ns.school, 'link', 'set', this.dev.school, up ? 'up' : 'down'], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** `jiaoyan <args>` inside a namespace, to its end: stdout parsed as JSON. */
  async cli(side: Side, args: string[], dataDir: string): Promise<Record<string, unknown>> {
    const child = this.spawnNode(side, [BIN, ...args], { JIAOYAN_HOME: dataDir });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`jiaoyan ${args.join(' ')} exited ${code}: ${out}`);
    return JSON.parse(out) as Record<string, unknown>;
  }

  /** `jiaoyan relay start` on a side's WAN address, resolved once it listens. */
  async relay(side: Side, extra: string[] = []): Promise<RelayProcess> {
    const dataDir = tempDir();
    const child = this.spawnNode(side, [BIN, '--json', 'relay', 'start', '--no-tui', '--no-announce', '--port', '8443', '--bind', this.addr[side], ...extra], { JIAOYAN_HOME: dataDir });
    const line = await firstLine(child, (l) => l.includes('"listening"'));
    const { url } = JSON.parse(line) as { url: string };
    return { child, url, dataDir, caFile: join(dataDir, 'tls', 'ca.pem') };
  }

  /** Viewers on `relay`, in one process inside `side`. */
  async viewers(side: Side, relay: RelayProcess, code: string, n: number): Promise<ViewerGroup> {
    const child = this.spawnNode(side, ['--import', 'tsx', VIEWERS, relay.url, code, relay.caFile, String(n)]);
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
    const child = this.spawnNode(side, ['-e', script, `${relay.url}/metrics`, relay.caFile]);
    let text = '';
    child.stdout!.on('data', (c: Buffer) => (text += c.toString('utf8')));
    await new Promise((resolve) => child.once('close', resolve));
    const m = /^jiaoyan_rtp_bytes_total\{direction="in"\} (\d+)/m.exec(text);
    if (!m) throw new Error(`no jiaoyan_rtp_bytes_total in /metrics: ${text.slice(0, 200)}`);
    return Number(m[1]);
  }
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
