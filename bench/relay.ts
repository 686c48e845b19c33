// npm run bench:relay — one publisher (≈ 1 Mbps video: 30 fps × 4 packets of ~1100 B, plus Opus-sized audio at
// 50 packets/s) → N viewers in separate worker processes, N = 1, 10, 25, 50, 100, 150, 200. For each N, a fresh
// relay in its own process; after a warm-up, a measurement window: relay CPU (% of one core, /proc), relay RSS,
// packets forwarded per second (the relay's /metrics), delivery ratio (sequence numbers at the viewers), and
// one-way latency publisher → relay → viewer (p50/p99, send time stamped in each payload). Prints a table,
// asserts nothing. Flags: --max N, --seconds S (window), --warmup S, --workers K, --full F (viewers that decrypt
// and measure latency; the rest only count packets), --n 1,10,… (explicit list), --profile DIR (V8 CPU profile of
// the relay over each measurement window), --share-cores (do not pin the relay to core 0 and the rest to
// core 1 with taskset). Loopback only. BENCH_RELAY_FLAGS replaces the relay's V8 flags (default: the same as
// bin/jiaoyan.js); BENCH_GC=1 makes the relay print its GC pauses on exit; BENCH_RELAY_STDOUT=FILE keeps its stdout.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { relayRequest, type RelayTarget } from '../src/client/relay-target.js';
import { cpuSeconds, machineCpu, percentile, rssMb, scrapeMetrics } from './relay-probe.js';
import { SyntheticPublisher } from './relay-publisher.js';
import type { ViewerOptions, ViewerReport } from './relay-viewer.js';
import type { FromWorker, ToWorker } from './relay-viewers.js';
import { RELAY_V8_FLAGS } from './relay-flags.js';

const { values: flags } = parseArgs({
  options: {
    max: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    workers: { type: 'string', default: '4' },
    full: { type: 'string', default: '8' },
    batch: { type: 'string', default: '10' },
    n: { type: 'string' },
    profile: { type: 'string' },
    'share-cores': { type: 'boolean', default: false },
  },
});
const SWEEP = (flags.n ? flags.n.split(',') : ['1', '10', '25', '50', '100', '150', '200']).map(Number).filter((n) => n <= Number(flags.max));
const SECONDS = Number(flags.seconds);
const WARMUP = Number(flags.warmup);
const WORKERS = Number(flags.workers);
const FULL = Number(flags.full);
const BATCH = Number(flags.batch);
/** Relay alone on core 0, publisher and viewers on core 1 (unless --share-cores or taskset is missing). */
const PIN = !flags['share-cores'] && cpus().length >= 2 && existsSync('/usr/bin/taskset');
const pinTo = (pid: number, core: number) => execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

interface RelayChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly target: RelayTarget & { ca: string };
  readonly dataDir: string;
}

async function startRelayProcess(): Promise<RelayChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jiaoyan-bench-relay-'));
  // The same V8 flag as bin/jiaoyan.js gives `jiaoyan relay start`.
  const args = [...RELAY_V8_FLAGS, '--import', 'tsx', here('relay-process.ts'), dataDir, ...(flags.profile ? [flags.profile] : [])];
  // taskset execs node, so the child's pid is the relay's.
  const child = PIN
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // BENCH_RELAY_STDOUT=FILE keeps what the relay prints after its first line (e.g. with --trace-gc-nvp in BENCH_RELAY_FLAGS).
  if (process.env.BENCH_RELAY_STDOUT) child.stdout!.pipe(createWriteStream(process.env.BENCH_RELAY_STDOUT, { flags: 'a' }));
  const line = await new Promise<string>((resolve, reject) => {
    // The first JSON line (V8's --trace-gc lines may come before it).
    const lines = createInterface({ input: child.stdout! });
    const onLine = (l: string) => {
      if (!l.startsWith('{')) return;
      lines.off('line', onLine);
      resolve(l);
    };
    lines.on('line', onLine);
    child.once('exit', (code) => reject(new Error(`relay exited (${code}) before listening`)));
  });
  const info = JSON.parse(line) as { url: string; pid: number };
  const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return { child, pid: info.pid, target: { url: info.url, token, ca }, dataDir };
}

async function stopRelayProcess(r: RelayChild): Promise<void> {
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  rmSync(r.dataDir, { recursive: true, force: true });
}

class Worker {
  readonly child: ChildProcess;
  readonly #waiting = new Map<FromWorker['type'], (m: FromWorker) => void>();
  #failure: ((err: Error) => void) | undefined;

  constructor() {
    this.child = fork(here('relay-viewers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (PIN && this.child.pid) pinTo(this.child.pid, 1);
    this.child.on('message', (m: FromWorker) => {
      if (m.type === 'failed') return this.#failure?.(new Error(m.error));
      const w = this.#waiting.get(m.type);
      this.#waiting.delete(m.type);
      w?.(m);
    });
  }

  ask<T extends FromWorker['type']>(message: ToWorker, reply: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker: no ${reply} within ${timeoutMs} ms`)), timeoutMs);
      this.#failure = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.#waiting.set(reply, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromWorker, { type: T }>);
      });
      this.child.send(message);
    });
  }

  tell(message: ToWorker): void {
    this.child.send(message);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

interface Row {
  n: number;
  relayCpu: number;
  rss: number;
  idleRss: number;
  joinedRss: number;
  inPps: number;
  fwdPps: number;
  delivery: number;
  lost: number;
  stalled: number;
  p50: number;
  p99: number;
  samples: number;
  loopLagP99: number;
  viewersCpu: number;
  publisherCpu: number;
  machine: number;
  joinS: number;
  retries: string[];
}

async function measure(n: number): Promise<Row> {
  const relay = await startRelayProcess();
  const idleRss = rssMb(relay.pid);
  const workers: Worker[] = [];
  let publisher: SyntheticPublisher | undefined;
  try {
    const s = await relayRequest<{ code: string; hostKey: string }>(relay.target, 'POST', '/api/sessions', { title: `bench ${n}`, kind: 'lesson' });
    const k = Math.min(WORKERS, n);
    const lists: ViewerOptions[][] = Array.from({ length: k }, () => []);
    for (let i = 0; i < n; i++) {
      lists[i % k]!.push({ relay: relay.target.url, ca: relay.target.ca, code: s.code, name: `viewer-${i}`, mode: i < FULL ? 'full' : 'count' });
    }
    for (let i = 0; i < k; i++) workers.push(new Worker());
    // Viewers join first, then the publisher starts: the window measures forwarding, not a join storm under load.
    const joined = await Promise.all(workers.map((w, i) => w.ask({ type: 'start', viewers: lists[i]!, batch: BATCH }, 'connected', 120_000 + n * 2000)));
    const joinS = Math.max(...joined.map((r) => r.joinMs)) / 1000;
    const joinedRss = rssMb(relay.pid);
    publisher = await SyntheticPublisher.start({ relay: relay.target.url, code: s.code, hostKey: s.hostKey, ca: relay.target.ca });
    await Promise.all(workers.map((w) => w.ask({ type: 'media' }, 'ready', 60_000)));
    await sleep(WARMUP);

    await scrapeMetrics(relay.target.url, relay.target.ca); // resets the event-loop lag window
    const m0 = await scrapeMetrics(relay.target.url, relay.target.ca);
    const cpu0 = cpuSeconds(relay.pid);
    const mach0 = machineCpu();
    const self0 = process.cpuUsage();
    const pub0 = { ...publisher.sent };
    const t0 = performance.now();
    for (const w of workers) w.tell({ type: 'mark' });
    if (flags.profile) relay.child.kill('SIGUSR2');
    await sleep(SECONDS);
    if (flags.profile) relay.child.kill('SIGUSR2');
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(relay.pid);
    const mach1 = machineCpu();
    const self = process.cpuUsage(self0);
    const m1 = await scrapeMetrics(relay.target.url, relay.target.ca);
    const pubSent = publisher.sent.audio - pub0.audio + publisher.sent.video - pub0.video;
    const reports = await Promise.all(workers.map((w) => w.ask({ type: 'report' }, 'report', 30_000)));
    const rss = rssMb(relay.pid);

    const viewers: ViewerReport[] = reports.flatMap((r) => r.viewers);
    const received = viewers.reduce((a, v) => a + v.received.audio + v.received.video, 0);
    const expected = viewers.reduce((a, v) => a + v.expected.audio + v.expected.video, 0);
    const stalled = viewers.filter((v) => v.received.audio + v.received.video < pubSent / 2).length;
    const latencies = viewers.flatMap((v) => v.latencies).sort((a, b) => a - b);
    const counter = (m: Map<string, number>, dir: string) => m.get(`jiaoyan_rtp_packets_total{direction="${dir}"}`) ?? NaN;
    const viewersCpuMs = reports.reduce((a, r) => a + r.cpuMs, 0);
    const relayCpu = ((cpu1 - cpu0) / wall) * 100;
    const viewersCpu = viewersCpuMs / 10 / wall;
    const publisherCpu = ((self.user + self.system) / 1e6 / wall) * 100;
    return {
      n, relayCpu, rss, idleRss, joinS, stalled, viewersCpu, publisherCpu, retries: joined.flatMap((r) => r.retries), joinedRss,
      inPps: (counter(m1, 'in') - counter(m0, 'in')) / wall,
      fwdPps: (counter(m1, 'out') - counter(m0, 'out')) / wall,
      delivery: expected > 0 ? (received / expected) * 100 : 0,
      lost: expected - received,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      samples: latencies.length,
      loopLagP99: (m1.get('jiaoyan_event_loop_lag_seconds') ?? NaN) * 1000,
      machine: ((mach1.busy - mach0.busy) / wall) * 100,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    publisher?.close();
    await stopRelayProcess(relay);
  }
}

const COLUMNS: [string, number, (r: Row) => string][] = [
  ['N', 5, (r) => String(r.n)],
  ['relay CPU %', 12, (r) => r.relayCpu.toFixed(1)],
  ['RSS MB', 8, (r) => r.rss.toFixed(0)],
  ['RSS joined', 11, (r) => r.joinedRss.toFixed(0)],
  ['fwd pkt/s', 10, (r) => r.fwdPps.toFixed(0)],
  ['delivery %', 11, (r) => r.delivery.toFixed(3)],
  ['p50 ms', 8, (r) => r.p50.toFixed(2)],
  ['p99 ms', 8, (r) => r.p99.toFixed(2)],
  ['loop lag p99 ms', 16, (r) => r.loopLagP99.toFixed(1)],
  ['in pkt/s', 9, (r) => r.inPps.toFixed(0)],
  ['lost', 6, (r) => String(r.lost)],
  ['stalled', 8, (r) => String(r.stalled)],
  ['viewers CPU %', 14, (r) => r.viewersCpu.toFixed(0)],
  ['pub CPU %', 10, (r) => r.publisherCpu.toFixed(0)],
  ['machine %', 10, (r) => r.machine.toFixed(0)],
  ['join s', 7, (r) => r.joinS.toFixed(1)],
  ['retries', 8, (r) => String(r.retries.length)],
];
const line = (cells: string[]) => cells.map((c, i) => c.padStart(COLUMNS[i]![1])).join(' ');

async function main(): Promise<void> {
  if (PIN) pinTo(process.pid, 1);
  console.log(`relay fan-out: ${SWEEP.join(', ')} viewers; ${WARMUP} s warm-up, ${SECONDS} s window; ${WORKERS} viewer processes, ` +
    `${FULL} decrypting viewers (latency), the rest count packets; ${PIN ? 'relay pinned to core 0, publisher + viewers to core 1' : 'cores shared'}; ` +
    `machine: ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const rows: Row[] = [];
  console.log(line(COLUMNS.map((c) => c[0])));
  for (const n of SWEEP) {
    try {
      const r = await measure(n);
      rows.push(r);
      console.log(line(COLUMNS.map((c) => c[2](r))));
      for (const why of r.retries) console.log(`      (a viewer was connected again after: ${why})`);
    } catch (err) {
      console.log(`${String(n).padStart(5)} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  console.log([
    '',
    'relay CPU %: of one core (/proc/<pid>/stat utime + stime over the window); RSS: VmRSS at the end of the window,',
    'RSS joined: once every viewer had joined, before any media (an idle relay: ' + rows.map((r) => r.idleRss.toFixed(0)).join('/') + ' MB);',
    'fwd pkt/s and in pkt/s: the relay\'s own jiaoyan_rtp_packets_total; delivery: received / expected by sequence numbers,',
    'summed over every viewer and both streams; p50/p99: publisher send → viewer receive, from the decrypting viewers (both',
    'werift stacks and any wait for a CPU included: an upper bound on what the relay adds); loop lag: the relay\'s',
    'jiaoyan_event_loop_lag_seconds over the window; machine %: all cores together (200 % = both busy, other processes too).',
  ].join('\n'));
}

await main();
// Everything is closed by now; should a werift socket or timer still hold the event loop, report it and leave.
setTimeout(() => {
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  console.error(`bench: ${handles.length} handle(s) still open after the run (${handles.map((h) => h.constructor.name).join(', ')}); exiting`);
  process.exit(0);
}, 5000).unref();
