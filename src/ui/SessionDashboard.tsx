// The `jiaoyan status` screen for one live session: rundown, main venue, seats, participants with their link
// figures (down: the layer their main video gets and the relay's estimate of their link), viewers, discussion,
// relay load. Pure: props → frame, every line cut to `width` display columns.
import { Box, Text } from 'ink';
import type { DashboardChatLine, DashboardParticipant, SessionSnapshot } from '../core/dashboard.js';
import { bar, type Translate } from './BatchProgress.js';
import { fit, fitStart, truncate } from './text-width.js';

/** A choice the host is making (e.g. which venue to push): options with the highlighted one. */
export interface DashboardPrompt {
  readonly title: string;
  readonly options: readonly string[];
  readonly index: number;
}

export interface SessionDashboardProps {
  readonly snapshot: SessionSnapshot;
  readonly t: Translate;
  /** Terminal columns; no line is wider. */
  readonly width?: number;
  /** Index into snapshot.participants of the highlighted row (host keys act on it). */
  readonly selected?: number;
  /** Show the key list. */
  readonly help?: boolean;
  readonly prompt?: DashboardPrompt;
  /** One line: the result of the last key (or why it was refused). */
  readonly notice?: string;
  /** At most this many participant rows; the window follows `selected`. */
  readonly maxRows?: number;
}

/** One output line and how it is drawn. */
export interface Line {
  readonly text: string;
  readonly color?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

/** Placeholder for a figure that is not known. */
export const UNKNOWN = '–';

/** `09:05` (local time) of an ISO 8601 instant; with seconds, `09:05:07`. */
export function clock(iso: string, seconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return seconds ? '--:--:--' : '--:--';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}${seconds ? `:${two(d.getSeconds())}` : ''}`;
}

/** A load or rate figure: one decimal below 10, whole above. */
export function figure(n: number): string {
  if (!Number.isFinite(n)) return UNKNOWN;
  return Math.abs(n) < 10 ? n.toFixed(1) : String(Math.round(n));
}

const known = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Column widths of the participants table (display columns), 80 in all with the separators. */
const COL = { mark: 2, name: 10, venue: 8, role: 4, mic: 4, cam: 4, level: 5, hand: 4, in: 5, out: 5, loss: 6, rtt: 5, down: 7 } as const;

function headerRow(t: Translate): string {
  return [
    ' '.repeat(COL.mark - 1),
    fit(t('dash_col_name'), COL.name),
    fit(t('dash_col_venue'), COL.venue),
    fit(t('dash_col_role'), COL.role),
    fit(t('dash_col_mic'), COL.mic),
    fit(t('dash_col_cam'), COL.cam),
    fit(t('dash_col_level'), COL.level),
    fit(t('dash_col_hand'), COL.hand),
    fitStart(t('dash_col_in'), COL.in),
    fitStart(t('dash_col_out'), COL.out),
    fitStart(t('dash_col_loss'), COL.loss),
    fitStart(t('dash_col_rtt'), COL.rtt),
    fitStart(t('dash_col_down'), COL.down),
  ].join(' ');
}

/** The `down` column: the layer (or audio only) and the estimate, `h 1500`; kbit/s from 10 000 up in M. */
export function downlink(p: DashboardParticipant, t: Translate): string {
  const est = known(p.estimateKbps) ? (p.estimateKbps >= 10_000 ? `${Math.round(p.estimateKbps / 1000)}M` : String(Math.round(p.estimateKbps))) : null;
  const layer = p.layer === 'audio' ? t('dash_layer_audio') : p.layer ?? null;
  if (layer === null && est === null) return UNKNOWN;
  return `${layer ?? UNKNOWN} ${est ?? UNKNOWN}`;
}

function participantRow(p: DashboardParticipant, selected: boolean, t: Translate): string {
  const role = p.role === 'host' ? t('dash_role_host') : p.seat ? t('dash_role_seat') : '';
  const onOff = (muted: boolean) => (p.publishing ? (muted ? t('dash_off') : t('dash_on')) : '');
  const level = p.publishing && known(p.level) ? bar(p.level * 100, COL.level) : '';
  const kbps = (v: number | null | undefined) => (known(v) ? String(Math.round(v)) : UNKNOWN);
  return [
    selected ? '▸' : ' ',
    fit(p.name, COL.name),
    fit(p.venue, COL.venue),
    fit(role, COL.role),
    fit(onOff(p.muted.audio), COL.mic),
    fit(onOff(p.muted.video), COL.cam),
    fit(level, COL.level),
    fit(p.hand ? '✋' : '', COL.hand),
    fitStart(kbps(p.inKbps), COL.in),
    fitStart(kbps(p.outKbps), COL.out),
    fitStart(known(p.loss) ? `${(p.loss * 100).toFixed(1)}%` : UNKNOWN, COL.loss),
    fitStart(known(p.rttMs) ? String(Math.round(p.rttMs)) : UNKNOWN, COL.rtt),
    fitStart(downlink(p, t), COL.down),
  ].join(' ');
}

function headerLines(s: SessionSnapshot, t: Translate): Line[] {
  const main = s.mainVenue ?? UNKNOWN;
  const venue = s.pendingVenue !== null ? t('dash_main_switching', { venue: main, pending: s.pendingVenue }) : t('dash_main_venue', { venue: main });
  const status = [venue, t('dash_seats', { taken: s.seats.taken, total: s.seats.total }), s.recording ? t('dash_recording_on') : t('dash_recording_off')];
  const lines: Line[] = [
    { text: t('dash_title', { title: s.title, kind: s.kind, code: s.code }), bold: true },
    { text: status.join(' · '), ...(s.recording ? { color: 'red' } : {}) },
    { text: t('dash_rundown'), bold: true },
  ];
  if (s.rundown.steps.length === 0) lines.push({ text: `  ${t('dash_rundown_empty')}`, dim: true });
  s.rundown.steps.forEach((step, i) => {
    const current = s.rundown.current === i;
    const text = `${current ? '▶' : ' '} ${t('dash_rundown_step', { n: i + 1, venue: step.venue, label: step.label })}`;
    lines.push(current ? { text, color: 'green', bold: true } : { text });
  });
  return lines;
}

/** Which participants fit: all, or a window of `maxRows` around the selected one. */
function rowWindow(count: number, selected: number | undefined, maxRows: number): { from: number; to: number } {
  if (count <= maxRows) return { from: 0, to: count };
  const from = Math.max(0, Math.min((selected ?? 0) - Math.floor(maxRows / 2), count - maxRows));
  return { from, to: from + maxRows };
}

function participantLines(s: SessionSnapshot, t: Translate, selected: number | undefined, maxRows: number): Line[] {
  const ps = s.participants;
  const lines: Line[] = [{ text: t('dash_participants', { count: ps.length }), bold: true }];
  if (ps.length === 0) return [...lines, { text: `  ${t('dash_no_participants')}`, dim: true }];
  lines.push({ text: headerRow(t), dim: true });
  const { from, to } = rowWindow(ps.length, selected, Math.max(1, maxRows));
  for (let i = from; i < to; i++) {
    const p = ps[i]!;
    const text = participantRow(p, i === selected, t);
    lines.push(i === selected ? { text, inverse: true } : p.hand ? { text, color: 'yellow' } : { text });
  }
  if (to - from < ps.length) lines.push({ text: `  ${t('dash_rows_range', { from: from + 1, to, count: ps.length })}`, dim: true });
  return lines;
}

function chatLine(c: DashboardChatLine, t: Translate): Line {
  return { text: `  ${t('dash_chat_line', { time: clock(c.at), from: c.from, venue: c.venue, text: c.text.replace(/\s+/g, ' ') })}` };
}

function footLines(s: SessionSnapshot, t: Translate, help: boolean, prompt: DashboardPrompt | undefined, notice: string | undefined): Line[] {
  const lines: Line[] = [];
  const list = s.viewersByVenue.map((v) => `${v.venue} ${v.count}`).join(' · ');
  lines.push({ text: list ? t('dash_viewers', { list }) : t('dash_viewers_none') });
  lines.push({ text: t('dash_chat'), bold: true });
  if (s.chat.length === 0) lines.push({ text: `  ${t('dash_chat_empty')}`, dim: true });
  for (const c of s.chat.slice(-5)) lines.push(chatLine(c, t));
  if (s.relay) {
    const load = t('dash_load', { cpu: figure(s.relay.cpuPercent), rss: Math.round(s.relay.rssMb), lag: figure(s.relay.eventLoopLagMs) });
    lines.push({ text: t('dash_relay_load', { load }), dim: true });
  }
  if (prompt) {
    lines.push({ text: prompt.title, bold: true, color: 'cyan' });
    prompt.options.forEach((o, i) => lines.push(i === prompt.index ? { text: `▸ ${o}`, inverse: true } : { text: `  ${o}` }));
    lines.push({ text: t('dash_prompt_hint'), dim: true });
  }
  if (help) {
    lines.push({ text: t('dash_help_title'), bold: true });
    for (const key of ['dash_key_select', 'dash_key_push', 'dash_key_next', 'dash_key_grant', 'dash_key_revoke', 'dash_key_mute', 'dash_key_record', 'dash_key_help', 'dash_key_quit'] as const) {
      lines.push({ text: `  ${t(key)}` });
    }
    if (!s.host) lines.push({ text: `  ${t('dash_help_host_only')}`, dim: true });
  }
  if (notice) lines.push({ text: notice.replace(/\s+/g, ' '), color: 'yellow' });
  lines.push({ text: t('dash_footer'), dim: true });
  return lines;
}

/** Lines of a frame, each cut to `width` columns (trailing spaces kept only on a highlighted row). */
export function LinesView({ lines, width }: { readonly lines: readonly Line[]; readonly width: number }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end" {...(l.color ? { color: l.color } : {})} bold={l.bold ?? false} dimColor={l.dim ?? false} inverse={l.inverse ?? false}>
          {truncate(l.inverse ? l.text : l.text.trimEnd(), width)}
        </Text>
      ))}
    </Box>
  );
}

export function SessionDashboard({ snapshot, t, width = 80, selected, help = false, prompt, notice, maxRows = 12 }: SessionDashboardProps) {
  const lines = [
    ...headerLines(snapshot, t),
    ...participantLines(snapshot, t, selected, maxRows),
    ...footLines(snapshot, t, help, prompt, notice),
  ];
  return <LinesView lines={lines} width={width} />;
}
