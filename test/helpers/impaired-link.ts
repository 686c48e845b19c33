// A thin, lossy link between a relay and one viewer: two network namespaces joined by a veth pair (root only).
// The relay's side ("relay") holds the relay and its publisher; the viewer's side ("viewer") the viewer. The link can
// be impaired — a token bucket on the relay's end (the viewer's downlink rate) and random loss at the viewer's input
// (iptables) — and restored. Processes run inside with `ip netns exec`; close() stops them and deletes everything.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { run, VethPair } from './veth-pair.js';

export { stop } from './veth-pair.js';

export type LinkSide = 'relay' | 'viewer';

export class ImpairedLink extends VethPair<LinkSide> {
  #impaired = false;

  private constructor(tag: string, subnet: number) {
    super(['relay', 'viewer'], { relay: [`jyar-${tag}`, `jyar${tag}`], viewer: [`jyav-${tag}`, `jyav${tag}`] },
      { relay: `10.250.${subnet}.1`, viewer: `10.250.${subnet}.2` }, 30);
  }

  /** Both namespaces with loopback up, the veth pair between them (10.250.x.1 relay, 10.250.x.2 viewer). */
  static create(): ImpairedLink {
    const tag = randomBytes(3).toString('hex');
    const link = new ImpairedLink(tag, parseInt(tag, 16) % 256);
    link.setUp();
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
