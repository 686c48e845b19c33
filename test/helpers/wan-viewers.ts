// N headless viewers in one process, for tests and benchmarks that run them inside a network namespace:
// `node --import tsx test/helpers/wan-viewers.ts <relay url> <code> <ca file> <n>` prints `{"event":"joined"}`
// once all have joined, then every 500 ms `{"event":"counts","viewers":[{"audio":…,"video":…},…]}` (main-venue
// RTP packets received so far per viewer). Stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { ParticipantClient } from '../../src/client/participant-client.js';

const [url, code, caFile, n] = process.argv.slice(2);
if (!url || !code || !caFile || !n) throw new Error('usage: wan-viewers.ts <relay url> <code> <ca file> <n>');
const ca = readFileSync(caFile, 'utf8');
const viewers = await Promise.all(
  Array.from({ length: Number(n) }, (_, i) => ParticipantClient.connect({ relay: url, code, name: `viewer${i + 1}`, venue: 'school', ca })),
);
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ event: 'joined' });
const count = (v: ParticipantClient, kind: 'audio' | 'video') =>
  v.tracks.filter((t) => t.kind === kind && t.slot === 'main').reduce((s, t) => s + (v.received.get(t.mid) ?? 0), 0);
const timer = setInterval(() => out({ event: 'counts', viewers: viewers.map((v) => ({ audio: count(v, 'audio'), video: count(v, 'video') })) }), 500);
process.once('SIGTERM', () => {
  clearInterval(timer);
  for (const v of viewers) v.close();
  setImmediate(() => process.exit(0));
});
