// Run inside a test's network namespace (`node --import tsx test/helpers/mdns-tool.ts <mode>`):
//   watch   — discoverRelays() until killed, one NDJSON line per `found` / `gone` relay;
//   hold    — bind UDP 5353 exclusively (no reuseAddr), so a relay cannot have it;
//   hostile — answer every query for `_jiaoyan._tcp.local` with a burst of garbage: undecodable bytes, a
//             compression loop, odd queries, responses announcing relays that must be rejected, and one
//             well-formed decoy (`decoy`, https://10.9.9.9:6) that must be listed.
// hold and hostile print `{"event":"ready"}` once they listen; watch's first `found` says it listens.
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { discoverRelays } from '../../src/client/lan-discovery.js';

const require = createRequire(import.meta.url);
// dns-packet comes with multicast-dns: resolve it from there, wherever npm put it.
const packet = createRequire(require.resolve('multicast-dns'))('dns-packet') as typeof import('dns-packet');

const GROUP = '224.0.0.251';
const PORT = 5353;
const SERVICE = '_jiaoyan._tcp.local';
/** Our own queries carry this id, so they do not trigger another burst. */
const OWN_ID = 0xbeef;

const say = (e: Record<string, unknown>) => process.stdout.write(JSON.stringify(e) + '\n');

function fakeRelay(instance: string, txt: (string | Buffer)[] | undefined, ttl = 120): Buffer {
  const name = instance ? `${instance}.${SERVICE}` : SERVICE;
  return packet.encode({
    type: 'response',
    answers: [{ name: SERVICE, type: 'PTR', ttl, data: name }],
    additionals: [
      { name, type: 'SRV', ttl, data: { port: 9, target: 'evil.local' } },
      ...(txt ? [{ name, type: 'TXT' as const, ttl, data: txt }] : []),
      { name: 'evil.local', type: 'A', ttl, data: '10.9.9.9' },
    ],
  });
}

function burst(): Buffer[] {
  const loop = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 12, 0, 1]); // name points at itself
  const valid = packet.encode({ type: 'query', id: OWN_ID, questions: [{ name: SERVICE, type: 'PTR' }] });
  return [
    Buffer.from('not a DNS packet at all'),
    Buffer.alloc(3),
    loop,
    valid.subarray(0, valid.length - 3),
    packet.encode({
      type: 'query', id: OWN_ID,
      questions: [
        { name: 'x'.repeat(63) + '.local', type: 'A' },
        { name: SERVICE, type: 'TXT' },
        { name: '_services._dns-sd._udp.local', type: 'PTR' },
      ],
    }),
    fakeRelay('script', ['v=1', 'url=javascript:alert(1)']),
    fakeRelay('future', ['v=2', 'url=https://10.9.9.9:2']),
    fakeRelay('badpin', ['v=1', 'url=https://10.9.9.9:3', 'ca=not-a-fingerprint']),
    fakeRelay('notxt', undefined),
    fakeRelay('', ['v=1', 'url=https://10.9.9.9:4']),
    fakeRelay('binary', [Buffer.from([0xff, 0xfe, 0x00, 0x3d]), Buffer.alloc(0)]),
    fakeRelay('creds', ['v=1', 'url=https://user:pw@10.9.9.9:5']),
    // The one well-formed announcement: its presence in `relay list` proves the burst was read.
    fakeRelay('decoy', ['v=1', 'url=https://10.9.9.9:6']),
  ];
}

async function hostile(): Promise<void> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (msg) => {
    let q: ReturnType<typeof packet.decode>;
    try {
      q = packet.decode(msg);
    } catch {
      return;
    }
    if (q.type !== 'query' || q.id === OWN_ID || !q.questions?.some((x) => x.name === SERVICE && x.type === 'PTR')) return;
    for (const b of burst()) socket.send(b, PORT, GROUP);
  });
  await new Promise<void>((resolve) => socket.bind(PORT, resolve));
  socket.addMembership(GROUP, '127.0.0.1');
  socket.setMulticastInterface('127.0.0.1');
  socket.setMulticastLoopback(true);
  say({ event: 'ready' });
}

async function hold(): Promise<void> {
  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve) => socket.bind(PORT, resolve));
  say({ event: 'ready' });
}

async function watch(): Promise<void> {
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  await discoverRelays({
    timeoutMs: 600_000,
    signal: stop.signal,
    onFound: (r) => say({ event: 'found', ...r }),
    onGone: (name) => say({ event: 'gone', name }),
  }).catch(() => undefined);
}

const mode = process.argv[2];
if (mode === 'hostile') await hostile();
else if (mode === 'hold') await hold();
else if (mode === 'watch') await watch();
else throw new Error(`mode? ${mode}`);
