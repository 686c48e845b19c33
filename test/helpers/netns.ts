// A throwaway network namespace for tests that need multicast (mDNS) without touching the host's network:
// created with `ip netns add`, commands run in it with `ip netns exec`, deleted by remove(). Needs root and iproute2.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BIN, collect, type CliRun } from './cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `multicast`: loopback up with multicast and a 224.0.0.0/4 route; `down`: loopback down, no route at all. */
export type Loopback = 'multicast' | 'down';

export interface Netns {
  readonly name: string;
  /** Run a program in the namespace (stdout and stderr piped). */
  spawn(argv: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  /** The jiaoyan binary in the namespace, as spawnCli does on the host. */
  spawnCli(args: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** A TypeScript helper (through tsx) in the namespace. */
  spawnTs(file: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  remove(): void;
}

export function createNetns(loopback: Loopback): Netns {
  const name = `jy-mdns-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const ip = (...args: string[]) => execFileSync('ip', ['netns', 'exec', name, 'ip', ...args]);
  if (loopback === 'multicast') {
    ip('link', 'set', 'lo', 'up');
    ip('link', 'set', 'lo', 'multicast', 'on');
    ip('route', 'add', '224.0.0.0/4', 'dev', 'lo');
  }
  const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    spawn('ip', ['netns', 'exec', name, ...argv], { cwd: ROOT, env: { ...process.env, LANG: 'en_US.UTF-8', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnCli = (args: string[], env?: NodeJS.ProcessEnv) => run([process.execPath, BIN, ...args], env);
  return {
    name,
    spawn: run,
    spawnCli,
    runCli: (args, env) => collect(spawnCli(args, env)),
    spawnTs: (file, args, env) => run([process.execPath, '--import', 'tsx', file, ...args], env),
    remove: () => execFileSync('ip', ['netns', 'del', name]),
  };
}
