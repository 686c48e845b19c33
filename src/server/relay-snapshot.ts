// The relay as the terminal dashboard of `jiaoyan relay start` shows it: sessions, peers, traffic rates, load
// and a short log of joins and leaves — sampled from the relay's observer stream.
import type { RelaySnapshot } from '../core/dashboard.js';
import { ProcessLoad } from '../core/process-load.js';
import type { Relay } from '../relay/relay.js';
import { formatCode } from '../signaling/protocol.js';

const LOG_LINES = 20;

export class RelaySnapshotter {
  readonly #relay: Relay;
  readonly #url: string;
  readonly #startedAt = Date.now();
  readonly #load = new ProcessLoad();
  readonly #log: { at: string; text: string }[] = [];
  #last = { inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, at: performance.now() };
  readonly #off: (() => void)[] = [];

  constructor(relay: Relay, url: string) {
    this.#relay = relay;
    this.#url = url;
    const o = relay.observer;
    this.#last = { ...relay.observer.traffic, at: performance.now() };
    const onJoined = (sessionId: string, peerId: string) => this.#note(sessionId, peerId, '+');
    const onLeft = (sessionId: string, peerId: string) => this.#note(sessionId, peerId, '−');
    o.on('peerJoined', onJoined);
    o.on('peerLeft', onLeft);
    this.#off.push(() => o.off('peerJoined', onJoined), () => o.off('peerLeft', onLeft));
  }

  /** A line for the log: who joined or left which session. */
  #note(sessionId: string, peerId: string, sign: string): void {
    const s = this.#relay.sessions.get(sessionId);
    const p = s?.participants.get(peerId);
    const who = p ? `${p.name}@${p.venue}${p.monitor ? ' (monitor)' : ''}` : peerId.slice(0, 8);
    this.add(`${sign} ${who} ${s ? formatCode(s.info.code) : ''}`.trim());
  }

  add(text: string): void {
    this.#log.push({ at: new Date().toISOString(), text });
    if (this.#log.length > LOG_LINES) this.#log.shift();
  }

  /** Figures since the previous call. */
  sample(): RelaySnapshot {
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.#last.at) / 1000);
    const c = this.#relay.observer.traffic;
    const rate = (a: number, b: number) => Math.round(((a - b) / seconds) * 10) / 10;
    const traffic = {
      inKbps: rate(c.inBytes * 8, this.#last.inBytes * 8) / 1000, outKbps: rate(c.outBytes * 8, this.#last.outBytes * 8) / 1000,
      inPps: rate(c.inPackets, this.#last.inPackets), outPps: rate(c.outPackets, this.#last.outPackets),
    };
    this.#last = { ...c, at: now };
    const sessions = [...this.#relay.sessions.values()].map((s) => ({
      code: formatCode(s.info.code), title: s.info.title, kind: s.info.kind,
      peers: [...s.participants.values()].filter((p) => !p.monitor).length,
      mainVenue: s.program.current?.venue ?? null,
    }));
    return {
      at: new Date().toISOString(), url: this.#url, uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000),
      sessions, peers: sessions.reduce((n, s) => n + s.peers, 0), traffic: {
        inKbps: Math.round(traffic.inKbps * 10) / 10, outKbps: Math.round(traffic.outKbps * 10) / 10, inPps: traffic.inPps, outPps: traffic.outPps,
      },
      load: this.#load.sample(), log: [...this.#log],
    };
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
    this.#load.close();
  }
}
