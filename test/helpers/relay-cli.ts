// The real relay binary (`jiaoyan relay start`) as a child process in a given home, for crash and restart tests.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnCli } from './cli.js';
import type { TestRelay } from './relay.js';

/** `jiaoyan relay start` in `home`; resolves with the process and its URL once it listens. Killed by the clean-ups. */
export async function startRelayCli(home: string, cleanups: (() => void | Promise<void>)[]): Promise<{ child: ChildProcess; relay: TestRelay }> {
  const child = spawnCli(['relay', 'start', '--port', '0', '--bind', '127.0.0.1', '--json'], { env: { JIAOYAN_HOME: home } });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as { event: string; url?: string };
      if (e.event === 'listening') resolve(e.url!);
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
  const relay = {
    running: { url } as TestRelay['running'], dataDir: home,
    ca: readFileSync(join(home, 'tls', 'ca.pem'), 'utf8'), token: readFileSync(join(home, 'admin-token'), 'utf8').trim(),
  };
  return { child, relay };
}

/** Resolves when the child has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
