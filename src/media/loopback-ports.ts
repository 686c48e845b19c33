// UDP ports on loopback for a local ffmpeg to read RTP from: a free pair (RTP, RTCP) to give it, and knowing when
// it has bound them — packets sent before that are lost, and a recording must not lose its first keyframe.
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';

const log = logger('media:loopback-ports');

/** Two consecutive free UDP ports (RTP, RTCP) on loopback, even first. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port & ~1;
    s.close();
    const probe = [createSocket('udp4'), createSocket('udp4')];
    const ok = await Promise.all(probe.map((p, i) => new Promise<boolean>((r) => {
      p.once('error', () => r(false));
      p.bind(port + i, '127.0.0.1', () => r(true));
    })));
    for (const p of probe) {
      try {
        p.close();
      } catch (err) {
        log('close probe: %O', err);
      }
    }
    if (ok.every(Boolean)) return port;
  }
  throw new RuntimeError('FFMPEG_FAILED', { input: 'recorder', detail: 'no free UDP ports' });
}

/** The local ports of the IPv4 UDP sockets bound on this machine (Linux), or undefined where that is not known. */
async function boundUdpPorts(): Promise<Set<number> | undefined> {
  const table = await readFile('/proc/net/udp', 'utf8').catch(() => undefined);
  if (table === undefined) return undefined;
  const ports = new Set<number>();
  // "  sl  local_address rem_address ..." then "   0: 0100007F:A1B2 00000000:0000 07 ..."
  for (const line of table.split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    const port = local?.split(':')[1];
    if (port) ports.add(parseInt(port, 16));
  }
  return ports;
}

/**
 * Resolves once every port in `ports` is bound (by the process we started), polling every 10 ms; at once where the
 * system does not say (not Linux), and after `timeoutMs` or when `gone` resolves (the process exited) regardless.
 */
export async function whenBound(ports: readonly number[], gone: Promise<unknown>, timeoutMs = 5000): Promise<void> {
  let exited = false;
  void gone.then(() => (exited = true));
  const end = Date.now() + timeoutMs;
  for (;;) {
    const bound = await boundUdpPorts();
    if (!bound || ports.every((p) => bound.has(p))) return;
    if (exited) return;
    if (Date.now() > end) {
      log('ports %o not bound after %d ms: sending anyway', ports, timeoutMs);
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
