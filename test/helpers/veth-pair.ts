// Two network namespaces joined by a veth pair (root only), with processes run inside them (`ip netns exec`):
// the ground both the WAN of the cascade tests (wan.ts) and the impaired viewer link (impaired-link.ts) stand on.
// close() stops every process started here and deletes the namespaces (the veth pair and any rules go with them).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

export const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** How long a process may take to stop on SIGTERM before it is killed (a deadline, not a wait). */
const KILL_AFTER_MS = 5_000;

export class VethPair<S extends string> {
  readonly ns: Record<S, string>;
  readonly dev: Record<S, string>;
  readonly addr: Record<S, string>;
  readonly #sides: readonly [S, S];
  readonly #prefixLength: number;
  readonly #children: ChildProcess[] = [];

  /** `names` per side: [namespace, interface]; `addr` per side, in one subnet of `prefixLength` bits. */
  protected constructor(sides: readonly [S, S], names: Record<S, [string, string]>, addr: Record<S, string>, prefixLength: number) {
    this.#sides = sides;
    this.ns = Object.fromEntries(sides.map((s) => [s, names[s][0]])) as Record<S, string>;
    this.dev = Object.fromEntries(sides.map((s) => [s, names[s][1]])) as Record<S, string>;
    this.addr = addr;
    this.#prefixLength = prefixLength;
  }

  /** Both namespaces with loopback up and the veth pair between them; nothing left behind if a step fails. */
  protected setUp(): void {
    const [a, b] = this.#sides;
    try {
      run('ip', ['netns', 'add', this.ns[a]]);
      run('ip', ['netns', 'add', this.ns[b]]);
      run('ip', ['link', 'add', this.dev[a], 'netns', this.ns[a], 'type', 'veth', 'peer', 'name', this.dev[b], 'netns', this.ns[b]]);
      for (const side of this.#sides) {
        run('ip', ['-n', this.ns[side], 'link', 'set', 'lo', 'up']);
        run('ip', ['-n', this.ns[side], 'addr', 'add', `${this.addr[side]}/${this.#prefixLength}`, 'dev', this.dev[side]]);
        run('ip', ['-n', this.ns[side], 'link', 'set', this.dev[side], 'up']);
      }
    } catch (err) {
      this.#deleteNamespaces();
      throw err;
    }
  }

  /** A node process inside a namespace (`args` after the node binary), stopped by close(). */
  spawnNode(side: S, args: string[], env: NodeJS.ProcessEnv = {}, stderr?: (text: string) => void): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns[side], process.execPath, ...args], {
      env: { ...process.env, LANG: 'en_US.UTF-8', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (c: Buffer) => stderr?.(c.toString('utf8')));
    this.#children.push(child);
    return child;
  }

  /** An executable that runs `program` inside a namespace with the arguments it is given (for a browser launcher). */
  wrapper(side: S, program: string): string {
    const file = join(tempDir('jiaoyan-netns-'), 'run-in-netns.sh');
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.ns[side]} ${program} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  /** Stop every process started here and delete the namespaces. */
  async close(): Promise<void> {
    await Promise.all(this.#children.map((c) => stop(c)));
    this.#deleteNamespaces();
  }

  #deleteNamespaces(): void {
    for (const n of Object.values<string>(this.ns)) {
      try {
        run('ip', ['netns', 'del', n]);
      } catch {
        // not created, or already gone
      }
    }
  }
}

/** Stop a process (SIGTERM, then SIGKILL after KILL_AFTER_MS); resolves when it has exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  await exited;
  clearTimeout(timer);
}
