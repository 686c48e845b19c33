// The relay under benchmark, in a process of its own (so its CPU and memory can be read from /proc):
// `node --import tsx bench/relay-process.ts <data dir> [profile dir]` prints one `listening` JSON line and stops on
// SIGTERM. With a profile dir, SIGUSR2 starts a V8 CPU profile and the next SIGUSR2 writes it there (so the
// profile covers the measurement window only).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
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

process.once('SIGTERM', () => {
  running.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('relay close failed:', err);
      process.exit(1);
    },
  );
});
