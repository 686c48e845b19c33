// The terminal screen of `jiaoyan relay start`: address, uptime, traffic, load, live sessions and the latest
// log lines (RelayDashboard, pure), plus its root (RelayApp: q quits) and renderRelayDashboard.
import { render, Text, useApp, useInput, useStdin } from 'ink';
import type { RelaySnapshot } from '../core/dashboard.js';
import { formatEta, type Translate } from './BatchProgress.js';
import { clock, figure, LinesView, UNKNOWN, type Line } from './SessionDashboard.js';
import type { SnapshotSource } from './snapshot-store.js';
import { useSnapshot } from './use-snapshot.js';
import { useColumns, type LiveView } from './StatusApp.js';
import { fit, fitStart, truncate } from './text-width.js';

export interface RelayDashboardProps {
  readonly snapshot: RelaySnapshot;
  readonly t: Translate;
  /** Terminal columns; no line is wider. */
  readonly width?: number;
}

/** `0:42`, `1:02:09`, `3d 4:05:06` */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  if (days === 0) return formatEta(s);
  const rest = s % 86_400;
  const h = Math.floor(rest / 3600);
  const m = String(Math.floor((rest % 3600) / 60)).padStart(2, '0');
  return `${days}d ${h}:${m}:${String(rest % 60).padStart(2, '0')}`;
}

/** Column widths of the sessions table (display columns), 70 in all with the indent and separators. */
const COL = { code: 9, title: 24, kind: 12, peers: 5, main: 14 } as const;

function sessionLines(snapshot: RelaySnapshot, t: Translate): Line[] {
  const lines: Line[] = [{ text: t('dash_sessions', { count: snapshot.sessions.length }), bold: true }];
  if (snapshot.sessions.length === 0) return [...lines, { text: `  ${t('dash_sessions_none')}`, dim: true }];
  const row = (code: string, title: string, kind: string, peers: string, main: string) =>
    `  ${[fit(code, COL.code), fit(title, COL.title), fit(kind, COL.kind), fitStart(peers, COL.peers), fit(main, COL.main)].join(' ')}`;
  lines.push({ text: row(t('dash_col_code'), t('dash_col_title'), t('dash_col_kind'), t('dash_col_peers'), t('dash_col_main')), dim: true });
  for (const s of snapshot.sessions) lines.push({ text: row(s.code, s.title, s.kind, String(s.peers), s.mainVenue ?? UNKNOWN) });
  return lines;
}

export function RelayDashboard({ snapshot, t, width = 80 }: RelayDashboardProps) {
  const { traffic, load } = snapshot;
  const lines: Line[] = [
    { text: t('dash_relay_title', { url: snapshot.url, uptime: formatUptime(snapshot.uptimeSeconds) }), bold: true },
    {
      text: t('dash_relay_traffic', {
        peers: snapshot.peers,
        in: Math.round(traffic.inKbps),
        inPps: Math.round(traffic.inPps),
        out: Math.round(traffic.outKbps),
        outPps: Math.round(traffic.outPps),
      }),
    },
    { text: t('dash_load', { cpu: figure(load.cpuPercent), rss: Math.round(load.rssMb), lag: figure(load.eventLoopLagMs) }) },
    ...sessionLines(snapshot, t),
    { text: t('dash_log'), bold: true },
  ];
  if (snapshot.log.length === 0) lines.push({ text: `  ${t('dash_log_empty')}`, dim: true });
  for (const entry of snapshot.log.slice(-8)) lines.push({ text: `  ${clock(entry.at, true)} ${entry.text.replace(/\s+/g, ' ')}` });
  lines.push({ text: t('dash_relay_footer'), dim: true });
  return <LinesView lines={lines} width={width} />;
}

export interface RelayAppProps {
  readonly store: SnapshotSource<RelaySnapshot>;
  readonly t: Translate;
}

export function RelayApp({ store, t }: RelayAppProps) {
  const snapshot = useSnapshot(store);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const width = useColumns();
  useInput(
    (input, key) => {
      if (input === 'q' && !key.ctrl) exit();
    },
    { isActive: isRawModeSupported },
  );
  if (!snapshot) return <Text dimColor>{truncate(t('dash_waiting'), width)}</Text>;
  return <RelayDashboard snapshot={snapshot} t={t} width={width} />;
}

export interface RelayViewOptions {
  readonly t: Translate;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
}

/** Show the relay dashboard of `store` until the user quits (q or Ctrl-C); what quitting means is the caller's. */
export function renderRelayDashboard(store: SnapshotSource<RelaySnapshot>, opts: RelayViewOptions): LiveView {
  const app = render(<RelayApp store={store} t={opts.t} />, {
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    patchConsole: false,
  });
  return { exited: app.waitUntilExit().then(() => undefined), unmount: () => app.unmount() };
}
