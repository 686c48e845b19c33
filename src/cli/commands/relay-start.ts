// `jiaoyan relay start`: run the relay until SIGINT/SIGTERM, then stop gracefully (exit 0).
import { UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import type { CliContext } from '../context.js';

export function parsePortRange(value: string): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(value.trim());
  const a = Number(m?.[1]);
  const b = Number(m?.[2]);
  if (!m || a < 1024 || b > 65535 || a > b) throw new UsageError('BAD_PORT_RANGE', { value });
  return [a, b];
}

export function parsePort(value: unknown, flag = '--port'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError('BAD_NUMBER', { flag, what: '0–65535', value: String(value) });
  return n;
}

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const tls = String(opts.tls ?? 'auto');
  if (tls !== 'auto' && tls !== 'off') throw new UsageError('BAD_CHOICE', { flag: '--tls', choices: 'auto, off', value: tls });
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new UsageError('USAGE', { detail: '--cert and --key go together' });
  const { startRelay } = await import('../../server/relay-server.js');
  const running = await startRelay({
    dataDir: ctx.dataDir,
    port: parsePort(opts.port ?? 8443),
    bind: typeof opts.bind === 'string' ? opts.bind : '0.0.0.0',
    tls,
    ...(typeof opts.cert === 'string' ? { cert: opts.cert } : {}),
    ...(typeof opts.key === 'string' ? { key: opts.key } : {}),
    ...(typeof opts.rtcPorts === 'string' ? { rtcPorts: parsePortRange(opts.rtcPorts) } : {}),
    ...(typeof opts.publicIp === 'string' ? { publicIp: opts.publicIp } : {}),
  });
  ctx.out.event({ event: 'listening', url: running.url, port: running.port, dataDir: ctx.dataDir, pid: process.pid }, () => t('relay_listening', { url: running.url }));
  const observer = running.relay.observer;
  observer.on('peerJoined', (sessionId, peerId) => ctx.out.event({ event: 'peerJoined', sessionId, peerId }));
  observer.on('peerLeft', (sessionId, peerId) => ctx.out.event({ event: 'peerLeft', sessionId, peerId }));
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.out.info(t('relay_stopping'));
  await running.close();
  ctx.out.event({ event: 'stopped' });
}
