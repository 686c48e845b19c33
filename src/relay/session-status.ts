// Once a second, for the host's monitors (`jiaoyan status`): traffic per participant (kbit/s in and out, loss
// and round-trip time from receiver reports, speaking level, the layer its main video gets and its downlink
// estimate) and the relay's load. Runs only while watched.
import type { PeerStats, RelayLoad, ServerMessage } from '../signaling/protocol.js';
import type { Participant } from './participant.js';

/** The relay process's load (CPU, memory, event-loop lag), sampled by whoever owns the process. */
export type LoadProbe = () => RelayLoad;

interface Counters {
  inBytes: number;
  outBytes: number;
}

/** The session as the reporter sees it. */
interface StatusSubject {
  readonly participants: ReadonlyMap<string, Participant>;
}

const INTERVAL_MS = 1000;

export class SessionStatusReporter {
  readonly #session: StatusSubject;
  readonly #load: LoadProbe | undefined;
  readonly #watchers = new Set<Participant>();
  readonly #last = new Map<string, Counters>();
  #lastAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(session: StatusSubject, load?: LoadProbe) {
    this.#session = session;
    this.#load = load;
  }

  watch(p: Participant): void {
    this.#watchers.add(p);
    if (!this.#timer) {
      this.#sample();
      this.#timer = setInterval(() => this.#report(), INTERVAL_MS);
      this.#timer.unref();
    }
    // A first snapshot at once (rates need a second sample: zero until then).
    p.send(this.#message(0));
  }

  unwatch(p: Participant): void {
    this.#watchers.delete(p);
    if (this.#watchers.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #counters(p: Participant): Counters {
    let inBytes = 0;
    for (const pub of p.publications.values()) for (const layer of pub.layers ?? [pub]) inBytes += layer.bytes;
    return { inBytes, outBytes: p.downlink().bytes };
  }

  #sample(): void {
    this.#last.clear();
    for (const p of this.#session.participants.values()) if (!p.monitor) this.#last.set(p.id, this.#counters(p));
    this.#lastAt = Date.now();
  }

  #report(): void {
    const seconds = (Date.now() - this.#lastAt) / 1000;
    const msg = this.#message(seconds);
    this.#sample();
    for (const w of this.#watchers) w.send(msg);
  }

  #message(seconds: number): ServerMessage {
    const peers: PeerStats[] = [];
    for (const p of this.#session.participants.values()) {
      if (p.monitor) continue;
      const now = this.#counters(p);
      const before = this.#last.get(p.id);
      const rate = (delta: number) => (before && seconds > 0 ? Math.round((delta * 8) / seconds / 100) / 10 : 0);
      const down = p.downlink();
      const adapted = p.downlinkStatus();
      const level = p.publications.get('audio')?.level;
      peers.push({
        peerId: p.id,
        inKbps: rate(now.inBytes - (before?.inBytes ?? now.inBytes)),
        outKbps: rate(now.outBytes - (before?.outBytes ?? now.outBytes)),
        loss: down.loss,
        rttMs: down.rttMs,
        level: level === undefined ? null : Math.round(level * 100) / 100,
        layer: adapted?.layer ?? null,
        estimateKbps: adapted ? adapted.estimateKbps : null,
      });
    }
    return { type: 'status', at: new Date().toISOString(), peers, relay: this.#load?.() ?? { cpuPercent: 0, rssMb: 0, eventLoopLagMs: 0 } };
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watchers.clear();
  }
}
