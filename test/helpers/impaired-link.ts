// A thin, lossy link between a relay and one viewer: two network namespaces joined by a veth pair (root only).
// The relay's side ("relay") holds the relay and its publisher; the viewer's side ("viewer") the viewer. The link can
// be impaired — a token bucket on the relay's end (the viewer's downlink rate) and random loss at the viewer's input
// (iptables) — and restored. Processes run inside with `ip netns exec`; close() stops them and deletes everything.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir } from './cli.js';

export type LinkSide = 'relay' | 'viewer';

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** How long a process may take to stop on SIGTERM before it is killed (a deadline, not a wait). */
const KILL_AFTER_MS = 5_000;

export class ImpairedLink {
  readonly ns: Record<LinkSide, string>;
  readonly dev: Record<LinkSide, string>;
  readonly addr: Record<LinkSide, string>;
  readonly #children: ChildProcess[] = [];
  #impaired = false;

  private constructor(tag: string, subnet: number) {
    this.ns = { relay: `jyar-${tag}`, viewer: `jyav-${tag}` };
    this.dev = { relay: `jyar${tag}`, viewer: `jyav${tag}` };
    this.addr = { relay: `10.250.${subnet}.1`, viewer: `10.250.${subnet}.2` };
  }

  /** Both namespaces with loopback up, the veth pair between them (10.250.x.1 relay, 10.250.x.2 viewer). */
  static create(): ImpairedLink {
    const tag = randomBytes(3).toString('hex');
    const link = new ImpairedLink(tag, parseInt(tag, 16) % 256);
    const { ns, dev, addr } = link;
    try {
      run('ip', ['netns', 'add', ns.relay]);
      run('ip', ['netns', 'add', ns.viewer]);
      run('ip', ['link', 'add', dev.relay, 'netns', ns.relay, 'type', 'veth', 'peer', 'name', dev.viewer, 'netns', ns.viewer]);
      for (const side of ['relay', 'viewer'] as const) {
        run('ip', ['-n', ns[side], 'link', 'set', 'lo', 'up']);
        run('ip', ['-n', ns[side], 'addr', 'add', `${addr[side]}/30`, 'dev', dev[side]]);
        run('ip', ['-n', ns[side], 'link', 'set', dev[side], 'up']);
      }
    } catch (err) {
      link.#deleteNamespaces();
      throw err;
    }
    return link;
  }

  get impaired(): boolean {
    return this.#impaired;
  }

  /** The viewer's downlink becomes `rateKbit` kbit/s (token bucket, 300 ms queue) with `lossPercent` % random loss at its input. */
  impair(rateKbit = 150, lossPercent = 5): void {
    run('ip', ['netns', 'exec', this.ns.relay, 'tc', 'qdisc', 'add', 'dev', this.dev.relay, 'root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', '4kb', 'latency', '300ms']);
    run('ip', ['netns', 'exec', this.ns.viewer, 'iptables', '-A', 'INPUT', '-m', 'statistic', '--mode', 'random', '--probability', String(lossPercent / 100), '-j', 'DROP']);
    this.#impaired = true;
  }

  /** Lift the impairment: the rate limit and the loss go. */
  restore(): void {
    run('ip', ['netns', 'exec', this.ns.relay, 'tc', 'qdisc', 'del', 'dev', this.dev.relay, 'root']);
    run('ip', ['netns', 'exec', this.ns.viewer, 'iptables', '-F', 'INPUT']);
    this.#impaired = false;
  }

  /** A node process inside a namespace (`args` after the node binary), stopped by close(). */
  spawnNode(side: LinkSide, args: string[], env: NodeJS.ProcessEnv = {}, stderr?: (text: string) => void): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns[side], process.execPath, ...args], {
      env: { ...process.env, LANG: 'en_US.UTF-8', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (c: Buffer) => stderr?.(c.toString('utf8')));
    this.#children.push(child);
    return child;
  }

  /** An executable that runs `program` inside a namespace with the arguments it is given (for a browser launcher). */
  wrapper(side: LinkSide, program: string): string {
    const file = join(tempDir('jiaoyan-netns-'), 'run-in-netns.sh');
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.ns[side]} ${program} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  /** Stop every process started here and delete the namespaces (the veth pair and the rules go with them). */
  async close(): Promise<void> {
    await Promise.all(this.#children.map((c) => stop(c)));
    this.#deleteNamespaces();
  }

  #deleteNamespaces(): void {
    for (const n of Object.values(this.ns)) {
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

/** The NDJSON objects a process prints, read once: listeners for all of them, waits for the first that matches. */
export class ProcessOutput {
  readonly #listeners = new Set<(o: Record<string, unknown>) => void>();
  readonly #child: ChildProcess;

  constructor(child: ChildProcess) {
    this.#child = child;
    createInterface({ input: child.stdout! }).on('line', (l) => {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(l) as Record<string, unknown>;
      } catch {
        return; // not JSON
      }
      for (const f of [...this.#listeners]) f(o);
    });
  }

  on(f: (o: Record<string, unknown>) => void): void {
    this.#listeners.add(f);
  }

  /** The first object from now on that satisfies `match` (rejects if the process exits first). */
  first(match: (o: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => {
        this.#listeners.delete(f);
        reject(new Error(`exited ${code} before the expected output`));
      };
      const f = (o: Record<string, unknown>) => {
        if (!match(o)) return;
        this.#listeners.delete(f);
        this.#child.off('exit', onExit);
        resolve(o);
      };
      this.#child.once('exit', onExit);
      this.#listeners.add(f);
    });
  }
}
