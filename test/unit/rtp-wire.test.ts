// The relay's own SRTP fast path against werift's: the same bytes for AES-GCM, packets werift's receiving side
// authenticates and decrypts for both profiles, across a sequence-number wrap, on a real UDP socket.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, RtpPacket, SrtpSession } from 'werift';
import { RtpWire } from '../../src/relay/rtp-wire.js';

type Profile = typeof ProtectionProfileAeadAes128Gcm | typeof ProtectionProfileAes128CmHmacSha1_80;

function sessions(profile: Profile) {
  const saltBytes = profile === ProtectionProfileAeadAes128Gcm ? 12 : 14;
  const a = { key: randomBytes(16), salt: randomBytes(saltBytes) };
  const b = { key: randomBytes(16), salt: randomBytes(saltBytes) };
  const keys = (l: typeof a, r: typeof a) => ({
    keys: { localMasterKey: l.key, localMasterSalt: l.salt, remoteMasterKey: r.key, remoteMasterSalt: r.salt },
    profile,
  });
  return {
    sender: new SrtpSession(keys(a, b)),
    twin: new SrtpSession(keys(a, b)),
    receiver: new SrtpSession(keys(b, a)),
  };
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function udpPair() {
  const tx = createSocket('udp4');
  const rx = createSocket('udp4');
  sockets.push(tx, rx);
  tx.bind(0, '127.0.0.1');
  rx.bind(0, '127.0.0.1');
  await Promise.all([once(tx, 'listening'), once(rx, 'listening')]);
  const received: Buffer[] = [];
  rx.on('message', (m) => received.push(m));
  return { tx, rx, received };
}

function fakeTransport(srtp: SrtpSession, socket: Socket, port: number) {
  return {
    srtp,
    iceTransport: {
      connection: {
        canSendApplicationData: () => true,
        nominated: { protocol: { transport: { socket, closed: false } }, remoteAddr: ['127.0.0.1', port] as [string, number], packetsSent: 0, bytesSent: 0 },
      },
    },
    bytesSent: 0,
    packetsSent: 0,
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

const SEQUENCE = [65533, 65534, 65535, 0, 1, 2];

describe.each([
  ['AES-128-GCM', ProtectionProfileAeadAes128Gcm],
  ['AES-CM-128-HMAC-SHA1-80', ProtectionProfileAes128CmHmacSha1_80],
] as const)('RtpWire with %s', (_name, profile) => {
  it('sends packets the receiving SRTP session decrypts, in order, across a sequence wrap', async () => {
    const { sender, twin, receiver } = sessions(profile);
    const { tx, rx, received } = await udpPair();
    const transport = fakeTransport(sender, tx, rx.address().port);
    const wire = new RtpWire(transport, new RtpHeader({ extensions: [] }));
    const payloads = SEQUENCE.map((_, i) => randomBytes(900 + i * 37));
    const expected: Buffer[] = [];
    SEQUENCE.forEach((seq, i) => {
      expect(wire.send(seq, 90_000 + i * 3000, i % 2 === 0, 96, 0x1234_5678, payloads[i]!)).toBe(true);
      const h = new RtpHeader({ sequenceNumber: seq, timestamp: 90_000 + i * 3000, marker: i % 2 === 0, payloadType: 96, ssrc: 0x1234_5678, extensions: [] });
      expected.push(twin.encrypt(payloads[i]!, h));
    });
    await until(() => received.length === SEQUENCE.length);
    if (profile === ProtectionProfileAeadAes128Gcm) expect(received).toEqual(expected);
    received.forEach((datagram, i) => {
      const packet = RtpPacket.deSerialize(receiver.decrypt(datagram));
      expect(packet.header.sequenceNumber).toBe(SEQUENCE[i]);
      expect(packet.header.timestamp).toBe(90_000 + i * 3000);
      expect(packet.header.marker).toBe(i % 2 === 0);
      expect(packet.header.payloadType).toBe(96);
      expect(packet.header.ssrc).toBe(0x1234_5678);
      expect(packet.payload.equals(payloads[i]!)).toBe(true);
    });
    expect(transport.packetsSent).toBe(SEQUENCE.length);
    expect(transport.bytesSent).toBe(received.reduce((n, d) => n + d.length, 0));
  });
});

describe('RtpWire fallbacks', () => {
  it('declines (sends nothing) before SRTP is keyed, when ICE cannot send, and over a relayed (TURN) pair', async () => {
    const { sender } = sessions(ProtectionProfileAeadAes128Gcm);
    const { tx, rx, received } = await udpPair();
    const port = rx.address().port;
    const payload = randomBytes(100);

    const { srtp: _keys, ...unkeyed } = fakeTransport(sender, tx, port);
    expect(new RtpWire(unkeyed).send(1, 1, false, 96, 1, payload)).toBe(false);

    const failed = fakeTransport(sender, tx, port);
    failed.iceTransport.connection.canSendApplicationData = () => false;
    expect(new RtpWire(failed).send(1, 1, false, 96, 1, payload)).toBe(false);

    const turn = fakeTransport(sender, tx, port);
    (turn.iceTransport.connection.nominated.protocol as Record<string, unknown>).turn = {};
    expect(new RtpWire(turn).send(1, 1, false, 96, 1, payload)).toBe(false);

    // And a working one on the same socket, so "nothing arrived" above is not a dead socket.
    expect(new RtpWire(fakeTransport(sender, tx, port)).send(1, 1, false, 96, 1, payload)).toBe(true);
    await until(() => received.length === 1);
    expect(received).toHaveLength(1);
  });
});
