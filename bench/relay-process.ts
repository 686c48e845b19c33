// The relay under benchmark, in a process of its own (so its CPU and memory can be read from /proc):
// `node --import tsx bench/relay-process.ts <data dir> [profile dir]` prints one `listening` JSON line and stops on
// SIGTERM. With a profile dir, SIGUSR2 starts a V8 CPU profile and the next SIGUSR2 writes it there (so the
// profile covers the measurement window only).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { startRelay } from '../src/server/relay-server.js';

const [dataDir, profileDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: relay-process.ts <data dir> [profile dir]');
const running = await startRelay({ dataDir, port: 0, bind: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ event: 'listening', url: running.url, pid: process.pid })}\n`);

if (profileDir) {
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on('SIGUSR2', () => {
    const step = profiling
      ? session.post('Profiler.stop').then(({ profile }) => writeFileSync(join(profileDir, `relay-${Date.now()}.cpuprofile`), JSON.stringify(profile)))
      : session.post('Profiler.enable').then(() => session.post('Profiler.start'));
    profiling = !profiling;
    step.catch((err: unknown) => console.error('profiler:', err));
  });
}

// BENCH_GC=1: one stderr line per GC kind on exit (count, total and longest pause), from perf_hooks.
const gcPauses = new Map<string, number[]>();
if (process.env.BENCH_GC) {
  const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[((e as unknown as { detail: { kind: number } }).detail).kind] ?? 'other';
      gcPauses.set(kind, [...(gcPauses.get(kind) ?? []), e.duration]);
    }
  }).observe({ entryTypes: ['gc'] });
  process.once('exit', () => {
    for (const [kind, d] of gcPauses) {
      const sorted = d.sort((a, b) => a - b);
      console.error(`gc ${kind}: ${d.length} pauses, total ${d.reduce((a, b) => a + b, 0).toFixed(0)} ms, p50 ${sorted[Math.floor(d.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
    }
  });
}

process.once('SIGTERM', () => {
  running.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('relay close failed:', err);
      process.exit(1);
    },
  );
});
