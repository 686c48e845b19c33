// `jiaoyan relay start`: run the relay until SIGINT/SIGTERM, then stop gracefully (exit 0).
import { readFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import type { UpstreamOptions } from '../../server/upstream.js';
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
    recordMinFreeMb: parseMinFree(opts.recordMinFree ?? '200'),
    announce: opts.announce !== false,
    ...(typeof opts.upstream === 'string' ? { upstream: upstreamOptions(opts.upstream, opts.upstreamCa, opts.upstreamToken) } : {}),
  });
  ctx.out.event({ event: 'listening', url: running.url, port: running.port, dataDir: ctx.dataDir, pid: process.pid }, () => t('relay_listening', { url: running.url }));
  const observer = running.relay.observer;
  // A dashboard on a terminal (unless --no-tui or --json); otherwise plain lines (NDJSON with --json).
  const tui = opts.tui !== false && !ctx.out.json && !!process.stdout.isTTY && !!process.stdin.isTTY;
  const stopView = tui ? await showDashboard(ctx, running.relay, running.url) : undefined;
  if (!tui) {
    const who = (sessionId: string, peerId: string): { name?: string; venue?: string; role?: string; monitor?: boolean } => {
      const p = running.relay.sessions.get(sessionId)?.participants.get(peerId);
      return p ? { name: p.name, venue: p.venue, role: p.role, ...(p.monitor ? { monitor: true } : {}) } : {};
    };
    observer.on('peerJoined', (sessionId, peerId) => ctx.out.event({ event: 'peerJoined', sessionId, peerId, ...who(sessionId, peerId) }, () => {
      const p = who(sessionId, peerId);
      return `+ ${p.name ?? peerId}@${p.venue ?? ''} (${p.role ?? ''})`;
    }));
    observer.on('peerLeft', (sessionId, peerId) => ctx.out.event({ event: 'peerLeft', sessionId, peerId }, () => `- ${peerId}`));
    observer.on('recordingInterrupted', (sessionId, recordingId, reason, message) =>
      ctx.out.event({ event: 'recordingInterrupted', sessionId, recordingId, reason, message }, () => `! ${message}`));
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    stopView?.exited.then(() => resolve(), () => resolve());
  });
  stopView?.stop();
  ctx.out.info(t('relay_stopping'));
  await running.close();
  ctx.out.event({ event: 'stopped' });
}

/** The relay dashboard, refreshed every second; `q` stops the relay like Ctrl-C. */
async function showDashboard(ctx: CliContext, relay: import('../../relay/relay.js').Relay, url: string) {
  const [{ renderRelayDashboard }, { SnapshotStore }, { RelaySnapshotter }] = await Promise.all([
    import('../../ui/RelayDashboard.js'), import('../../ui/snapshot-store.js'), import('../../server/relay-snapshot.js'),
  ]);
  const snapshots = new RelaySnapshotter(relay, url);
  const store = new SnapshotStore(snapshots.sample());
  const timer = setInterval(() => store.set(snapshots.sample()), 1000);
  const view = renderRelayDashboard(store, { t: (key, params) => t(key, params) });
  return {
    exited: view.exited,
    stop() {
      clearInterval(timer);
      view.unmount();
      snapshots.close();
    },
  };
}

/** `--record-min-free`: whole megabytes, 0 or more. */
function parseMinFree(value: unknown): number {
  const text = String(value);
  if (!/^\d{1,7}$/.test(text)) throw new UsageError('BAD_NUMBER', { flag: '--record-min-free', what: 'MB ≥ 0', value: text });
  return Number(text);
}

/** `--upstream URL [--upstream-ca FILE]`: the relay this one cascades from. */
function upstreamOptions(url: string, caFile: unknown, token: unknown): UpstreamOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('BAD_UPSTREAM', { value: url });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new UsageError('BAD_UPSTREAM', { value: url });
  const ca = typeof caFile === 'string' ? readFileSync(caFile, 'utf8') : undefined;
  return { url: parsed.origin, ...(ca ? { ca } : {}), ...(typeof token === 'string' && token ? { token } : {}) };
}
