// npm run bench:doc — twenty teachers writing one shared document at once. A relay in its own process (so its CPU
// can be read from /proc), a prep session, 20 headless editors (DocReplica over real WebSockets, joined as monitors:
// no media) each typing 5 characters a second — Chinese and ASCII mixed — at the end of its own line, with its
// cursor (awareness) sent after every keystroke as the page does. Every keystroke takes one Yjs clock of its
// editor; (client, clock) is noted when typed, and each other editor notes when a transaction from the relay
// brings that clock (between the transaction's before and after state vectors). Prints: p50/p99/max time for
// an edit to reach the other editors, delivery, relay CPU (% of one core) over the typing window, and the
// document's files on disk (<data>/docs/<session id>/) while typing and before/after the compaction that follows.
// BENCH_DOC_SECONDS (default 60) sets the typing window. Asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { DocReplica } from '../src/client/doc-replica.js';
import { ParticipantClient } from '../src/client/participant-client.js';
import { relayRequest } from '../src/client/relay-target.js';
import { cpuSeconds, percentile } from './relay-probe.js';

const SECONDS = Number(process.env.BENCH_DOC_SECONDS ?? 60);
const EDITORS = 20;
const PER_SECOND = 5;
/** How long the last edits may take to arrive everywhere after typing stops. */
const DRAIN_MS = 15_000;
/** The store compacts 60 s after its last compaction when there were changes (src/store/doc-store.ts). */
const COMPACTION_WAIT_MS = 75_000;
const DOC = 'plan';
const HANZI = '教研分数认识导入新授练习小结学生老师课堂问题活动折纸涂色评价板书设计目标重点难点';
const ASCII = 'abcdefghijklmnopqrstuvwxyz0123456789 ';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** Sizes of the document's files: snapshot, log, revisions. */
function files(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // not created yet
  }
  for (const f of names) if (f.startsWith(`${DOC}.`)) out[f.slice(DOC.length + 1)] = statSync(join(dir, f)).size;
  return out;
}
const kb = (n: number | undefined) => (n === undefined ? '–' : `${(n / 1024).toFixed(1)} KiB`);
const sizes = (s: Record<string, number>) => `snapshot ${kb(s.snapshot)}, log ${kb(s.log)}, revisions ${kb(s['revisions.jsonl'])}`;

interface Editor {
  readonly name: string;
  readonly client: ParticipantClient;
  readonly replica: DocReplica;
  cursor?: Y.RelativePosition;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jiaoyan-bench-doc-'));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('relay-process.ts', import.meta.url)), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  })) as { url: string; pid: number };
  const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const target = { url: info.url, token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), ca };
  const editors: Editor[] = [];
  let relayStopped = false;
  const stopRelay = async () => {
    if (relayStopped) return;
    relayStopped = true;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  try {
    const s = await relayRequest<{ id: string; code: string }>(target, 'POST', '/api/sessions', { title: 'bench doc', kind: 'prep' });
    const docDir = join(dataDir, 'docs', s.id);
    for (let i = 0; i < EDITORS; i++) {
      const name = `老师${String(i + 1).padStart(2, '0')}`;
      const client = await ParticipantClient.connect({ relay: info.url, code: s.code, name, venue: `学校${i % 5}`, ca, monitor: true });
      const replica = new DocReplica({ doc: DOC, send: (m) => client.send(m), user: { name, color: `hsl(${i * 18} 70% 45%)` } });
      client.on('message', (m) => replica.handle(m));
      editors.push({ name, client, replica });
    }
    // The first editor lays out one line per teacher; everyone types at the end of their own line.
    const first = editors[0]!.replica;
    first.open();
    await first.synced();
    first.replaceText(editors.map((e) => `${e.name}：\n`).join(''));
    await first.history(); // applied at the relay once this answer comes
    await Promise.all(editors.slice(1).map(async (e) => {
      e.replica.open();
      await e.replica.synced();
    }));
    editors.forEach((e, i) => {
      let at = -1;
      for (let k = 0; k <= i; k++) at = e.replica.text.toString().indexOf('\n', at + 1);
      e.cursor = Y.createRelativePositionFromTypeIndex(e.replica.text, at); // the line's \n: typing goes before it
    });

    // Latency: when each keystroke was typed (by client:clock), and when each other editor got it.
    const typedAt = new Map<string, number>();
    const latencies: number[] = [];
    for (const e of editors) {
      // What a transaction applied from the relay added: the clocks between its before and after state vectors.
      e.replica.ydoc.on('afterTransaction', (tr: Y.Transaction) => {
        if (tr.local) return;
        const now = performance.now();
        for (const [client, after] of tr.afterState) {
          for (let clock = tr.beforeState.get(client) ?? 0; clock < after; clock++) {
            const t0 = typedAt.get(`${client}:${clock}`);
            if (t0 !== undefined) latencies.push(now - t0);
          }
        }
      });
    }

    // The files while typing: the largest log seen, and compactions (the log emptied).
    let peakLog = 0;
    let compactions = 0;
    let lastLog = 0;
    let folded: { log: number; snapshot: number } | undefined;
    const sampler = setInterval(() => {
      const f = files(docDir);
      const logBytes = f.log ?? 0;
      if (logBytes < lastLog) {
        compactions++;
        folded = { log: lastLog, snapshot: f.snapshot ?? 0 };
      }
      peakLog = Math.max(peakLog, logBytes);
      lastLog = logBytes;
    }, 100);

    let typed = 0;
    const keystroke = (e: Editor) => {
      const { ydoc, text, awareness } = e.replica;
      const index = Y.createAbsolutePositionFromRelativePosition(e.cursor!, ydoc)!.index;
      const pool = Math.random() < 0.6 ? HANZI : ASCII;
      const ch = pool[Math.floor(Math.random() * pool.length)]!;
      typedAt.set(`${ydoc.clientID}:${Y.getState(ydoc.store, ydoc.clientID)}`, performance.now());
      text.insert(index, ch);
      typed++;
      const here = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index + 1));
      awareness.setLocalStateField('cursor', { anchor: here, head: here });
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const load0 = loadavg()[0]!;
    const cpu0 = cpuSeconds(info.pid);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const typing: NodeJS.Timeout[] = [];
    const starts = editors.map((e) => setTimeout(() => {
      keystroke(e);
      typing.push(setInterval(() => keystroke(e), 1000 / PER_SECOND));
    }, Math.random() * (1000 / PER_SECOND)));
    await sleep(SECONDS * 1000);
    for (const t of starts) clearTimeout(t);
    for (const t of typing) clearInterval(t);
    const wall = (performance.now() - t0) / 1000;
    const relayCpu = ((cpuSeconds(info.pid) - cpu0) / wall) * 100;
    const self = process.cpuUsage(self0);
    loop.disable();
    const benchCpu = ((self.user + self.system) / 1e6 / wall) * 100;

    const expected = typed * (EDITORS - 1);
    const drained = await until(() => latencies.length >= expected, DRAIN_MS);
    const texts = new Set(editors.map((e) => e.replica.text.toString()));
    clearInterval(sampler);
    const sorted = [...latencies].sort((a, b) => a - b);
    const state = Y.encodeStateAsUpdate(first.ydoc).byteLength;

    console.log(`shared document: ${EDITORS} editors × ${PER_SECOND} characters/s for ${SECONDS} s (Chinese and ASCII, cursor sent with each keystroke)`);
    console.log(`  machine                ${cpus().length} cores, load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
    console.log(`  edits typed            ${typed}  (${(typed / wall).toFixed(0)}/s)`);
    console.log(`  deliveries             ${latencies.length} of ${expected}${drained ? '' : ' (some never arrived)'}; all copies equal: ${texts.size === 1 ? 'yes' : 'NO'}`);
    console.log(`  edit → other editors   p50 ${percentile(sorted, 50).toFixed(1)} ms   p99 ${percentile(sorted, 99).toFixed(1)} ms   max ${sorted.at(-1)?.toFixed(1)} ms`);
    console.log(`  bench event loop       p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms late (timers and deliveries wait this long on a busy machine)`);
    console.log(`  relay CPU              ${relayCpu.toFixed(1)} % of one core (/proc utime+stime over the typing window)`);
    console.log(`  bench process CPU      ${benchCpu.toFixed(1)} % (the 20 editors; a saturated bench would inflate the latencies)`);
    console.log(`  document               ${first.text.length} characters, Yjs state ${kb(state)}`);
    console.log(`  while typing           log peaked at ${kb(peakLog)}; ${compactions} compaction(s) (at 2000 records: every ~${Math.round(2000 / (EDITORS * PER_SECOND))} s at full speed)` +
      (folded ? `, the last folded a ${kb(folded.log)} log into a ${kb(folded.snapshot)} snapshot` : ''));
    const before = files(docDir);
    console.log(`  files after typing     ${sizes(before)}`);
    const compacted = await until(() => (files(docDir).log ?? 0) === 0, COMPACTION_WAIT_MS);
    console.log(`  after compaction       ${sizes(files(docDir))}${compacted ? '' : ` (no compaction within ${COMPACTION_WAIT_MS / 1000} s)`}`);
    for (const e of editors) {
      e.replica.close();
      e.client.close();
    }
    await stopRelay();
    console.log(`  after the relay stops  ${sizes(files(docDir))}`);
  } finally {
    for (const e of editors) e.client.close();
    await stopRelay();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
