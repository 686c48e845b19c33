// Below the WebSocket: TCP and TLS connections that send garbage or half an upgrade request and vanish, upgrades
// the relay must refuse, and crowds of sockets that connect, join and vanish all at once.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Rng } from './fuzz-rng.js';
import type { FuzzTarget } from './fuzz-scenarios.js';
import { FuzzSocket } from './fuzz-socket.js';

function endpoint(t: FuzzTarget): { host: string; port: number } {
  const u = new URL(t.url);
  return { host: u.hostname, port: Number(u.port) };
}

function upgradeRequest(t: FuzzTarget, path: string, version = '13'): string {
  const { host, port } = endpoint(t);
  return [`GET ${path} HTTP/1.1`, `Host: ${host}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `Sec-WebSocket-Version: ${version}`, '', ''].join('\r\n');
}

/** Everything the server sends until it closes the connection (or we do, after `untilText` shows up). */
function collect(sock: Socket, untilText?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    sock.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (untilText && text.includes(untilText)) sock.destroy();
    });
    sock.on('close', () => resolve(text));
    sock.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(text) : reject(err)));
  });
}

async function openTls(t: FuzzTarget, from: string): Promise<Socket> {
  const tcp = await openTcp(t, from);
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ socket: tcp, host: endpoint(t).host, ca: t.ca }, () => resolve(sock));
    sock.once('error', reject);
  });
}

function openTcp(t: FuzzTarget, from: string): Promise<Socket> {
  const { host, port } = endpoint(t);
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host, port, localAddress: from }, () => resolve(sock));
    sock.once('error', reject);
  });
}

/** Write then drop the connection at once (destroy, no orderly shutdown); a reset from the relay is fine too. */
function writeAndVanish(sock: Socket, data: string | Buffer, t: FuzzTarget): Promise<void> {
  return new Promise((resolve) => {
    sock.on('error', (err: NodeJS.ErrnoException) => {
      t.tally.count(`raw:write-error:${err.code ?? err.message}`);
      resolve();
    });
    sock.write(data, () => {
      sock.destroy();
      resolve();
    });
  });
}

/**
 * Connection-level misbehaviour: garbage instead of TLS, a TLS hello cut short, half an upgrade request, an
 * upgrade dropped right after sending it, an upgrade to another path (refused), a wrong WebSocket version (400).
 */
export async function rawConnections(rng: Rng, t: FuzzTarget, from: string): Promise<void> {
  await writeAndVanish(await openTcp(t, from), rng.bytes(rng.range(1, 4000)), t);
  await writeAndVanish(await openTcp(t, from), Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), rng.bytes(300)]), t);
  (await openTcp(t, from)).destroy();
  await writeAndVanish(await openTls(t, from), upgradeRequest(t, '/ws').slice(0, rng.range(5, 80)), t);
  await writeAndVanish(await openTls(t, from), upgradeRequest(t, '/ws'), t);
  await writeAndVanish(await openTls(t, from), `GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n${'x'.repeat(100)}`, t);
  t.tally.count('raw:vanished', 6);

  const wrongPath = await openTls(t, from);
  const refused = collect(wrongPath);
  wrongPath.write(upgradeRequest(t, '/ws/../admin'));
  const text = await refused;
  if (text.includes('101 Switching')) throw new Error('an upgrade to /ws/../admin was accepted');
  t.tally.count('raw:wrong-path-refused');

  const badVersion = await openTls(t, from);
  const answer = collect(badVersion, '\r\n\r\n');
  badVersion.write(upgradeRequest(t, '/ws', '99'));
  const status = (await answer).split('\r\n', 1)[0] ?? '';
  if (!/^HTTP\/1\.1 4\d\d /.test(status)) throw new Error(`an upgrade with Sec-WebSocket-Version 99 got "${status}"`);
  t.tally.count('raw:bad-version-refused');
}

/** `n` sockets join the session at the same moment, then all vanish at the same moment. */
export async function joinCrowd(t: FuzzTarget, n: number): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: n }, () => FuzzSocket.open({ url: t.url, ca: t.ca, from: t.from.inside })));
  try {
    sockets.forEach((s, i) => s.json({ type: 'join', code: t.code, name: `crowd ${i}`, venue: `教室 ${i}` }));
    await Promise.all(sockets.map((s, i) => s.expect('joined', `crowd ${i} join`)));
    t.tally.count('crowd:joined', n);
  } finally {
    for (const s of sockets) s.terminate();
    sockets.forEach((s, i) => t.tally.absorb(s, `crowd ${i}`));
  }
}
