// A headless participant for tests that run it inside a network namespace, reporting as NDJSON on stdout:
//   node --import tsx test/helpers/netns-participant.ts viewer <relay url> <code> <ca file>
//     `{"event":"joined","peerId"}`, then every 200 ms `{"event":"counts","audio":{"received","expected"},"video"}`:
//     distinct audio sequence numbers received (after RED recovery) and the span they cover, video packets received.
//   node --import tsx test/helpers/netns-participant.ts monitor <relay url> <code> <ca file> <host key>
//     `{"event":"status","peers":[{"peerId","layer","estimateKbps","loss","inKbps"}]}` for every status the relay sends.
// Stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { ParticipantClient } from '../../src/client/participant-client.js';

const [mode, url, code, caFile, hostKey] = process.argv.slice(2);
if ((mode !== 'viewer' && mode !== 'monitor') || !url || !code || !caFile) throw new Error('usage: netns-participant.ts viewer|monitor <relay url> <code> <ca file> [host key]');
const ca = readFileSync(caFile, 'utf8');
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** Distinct sequence numbers of one stream, extended past wrap-around, and the span from the first to the highest. */
class Sequence {
  readonly #seen = new Set<number>();
  #first: number | undefined;
  #highest = 0;

  add(seq: number): void {
    if (this.#first === undefined) {
      this.#first = this.#highest = seq;
    }
    const delta = (seq - (this.#highest & 0xffff)) & 0xffff;
    const ext = delta < 0x8000 ? this.#highest + delta : this.#highest - (0x10000 - delta);
    this.#highest = Math.max(this.#highest, ext);
    this.#first = Math.min(this.#first, ext);
    this.#seen.add(ext);
  }

  get received(): number {
    return this.#seen.size;
  }

  get expected(): number {
    return this.#first === undefined ? 0 : this.#highest - this.#first + 1;
  }
}

const client = await ParticipantClient.connect({ relay: url, code, name: mode === 'viewer' ? '远端观众' : 'IT', venue: '山区小学', ca, ...(mode === 'monitor' ? { hostKey: hostKey!, monitor: true } : {}) });
let timer: NodeJS.Timeout | undefined;
if (mode === 'viewer') {
  const audio = new Sequence();
  let video = 0;
  client.eachTrack((t) => {
    if (t.slot !== 'main') return;
    t.track.onReceiveRtp.subscribe((p) => (t.kind === 'audio' ? audio.add(p.header.sequenceNumber) : void video++));
  });
  out({ event: 'joined', peerId: client.joined.peerId });
  timer = setInterval(() => out({ event: 'counts', audio: { received: audio.received, expected: audio.expected }, video }), 200);
} else {
  client.on('status', (s) => out({ event: 'status', peers: s.peers.map((p) => ({ peerId: p.peerId, layer: p.layer, estimateKbps: p.estimateKbps, loss: p.loss, inKbps: p.inKbps })) }));
  out({ event: 'joined', peerId: client.joined.peerId });
}
process.once('SIGTERM', () => {
  if (timer) clearInterval(timer);
  client.close();
  setImmediate(() => process.exit(0));
});
