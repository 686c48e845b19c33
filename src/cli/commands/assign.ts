// `jiaoyan assign <recording> --to "张三,李四" --due 7d` gives a recording of the library to teachers to watch
// ("异时异地" study) and prints each one's personal link; `assign status <assignment> [--json|--csv]` shows who
// watched how much, who finished on time, late, or is overdue; `assign list` the assignments. Through the relay's
// admin API. The first word is `status`, `list` or a recording: recording ids are hex digits and dashes, so
// neither word can be one.
import { t, type MessageKey } from '../../core/i18n.js';
import { UsageError } from '../../core/errors.js';
import { relayRequest, resolveRelay, type RelayTarget } from '../../client/relay-target.js';
import { displayWidth, padStartTo, padTo } from '../../ui/text-width.js';
import type { CliContext } from '../context.js';

interface PersonView {
  name: string; watchedSeconds: number; percent: number; finished: boolean; finishedAt: string | null; onTime: boolean | null;
  overdue: boolean; state: 'on-time' | 'late' | 'overdue' | 'watching' | 'not-started'; link?: string;
}
export interface AssignmentView {
  id: string; recordingId: string; title: string | null; duration: number; due: string; createdAt: string; createdBy: string;
  finished: number; overdue: number; assignees: PersonView[];
}

const UNIT_MS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000 };

/**
 * The due time as ISO: a duration from now (`7d`, `36h`, `2w`), a date (`2026-11-30`: the end of that day, local
 * time) or an ISO time. Throws UsageError when unreadable or already past.
 */
export function parseDue(input: string, now = Date.now()): string {
  const v = input.trim();
  const span = /^(\d+(?:\.\d+)?)\s*([wdh])$/i.exec(v);
  let ms = NaN;
  if (span) ms = now + Number(span[1]) * UNIT_MS[span[2]!.toLowerCase()]!;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) ms = Date.parse(`${v}T23:59:59.999`);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(v)) ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new UsageError('ASSIGN_DUE_INVALID', { value: input });
  if (ms <= now) throw new UsageError('ASSIGN_DUE_PAST', { due: localTime(new Date(ms).toISOString()) });
  return new Date(ms).toISOString();
}

/** Names from `--to`: separated by commas (also "，" and "、"), trimmed, each once. */
export function parseNames(input: string): string[] {
  const names = [...new Set(input.split(/[,，、]/).map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw new UsageError('ASSIGN_NO_NAMES');
  return names;
}

/** `YYYY-MM-DD HH:MM` in local time. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One row per person; the header names are fixed (for spreadsheets and scripts), not translated. */
export function statusCsv(a: AssignmentView): string {
  const rows = a.assignees.map((p) => [
    csvCell(p.name), String(p.percent), String(p.watchedSeconds), p.finished ? 'yes' : 'no', p.finishedAt ?? '',
    p.onTime === null ? '' : p.onTime ? 'yes' : 'no', p.overdue ? 'yes' : 'no', p.state,
  ].join(','));
  return ['name,watched_percent,watched_seconds,finished,finished_at,on_time,overdue,state', ...rows].join('\n') + '\n';
}

const STATE_KEY: Record<PersonView['state'], MessageKey> = {
  'on-time': 'assign_state_on_time', late: 'assign_state_late', overdue: 'assign_state_overdue', watching: 'assign_state_watching', 'not-started': 'assign_state_not_started',
};

function statusTable(a: AssignmentView): string {
  const head = t('assign_heading', { id: a.id, title: a.title ?? a.recordingId, minutes: Math.round(a.duration / 6) / 10, due: localTime(a.due) });
  const rows = [[t('assign_col_name'), t('assign_col_watched'), t('assign_col_state'), t('assign_col_finished')],
    ...a.assignees.map((p) => [p.name, `${p.percent.toFixed(1)}%`, t(STATE_KEY[p.state]), p.finishedAt ? localTime(p.finishedAt) : '–'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i]!))));
  const lines = rows.map((r) => r.map((c, i) => (i === 1 ? padStartTo(c, widths[i]!) : padTo(c, widths[i]!))).join('  ').trimEnd());
  return [head, ...lines].join('\n');
}

function listLine(a: AssignmentView): string {
  return `${a.id}  ${a.recordingId.slice(0, 8)}  ${localTime(a.due)}  ${t('assign_list_line', { finished: a.finished, total: a.assignees.length, overdue: a.overdue })}  ${a.title ?? ''}`.trimEnd();
}

/** A full recording id, or a unique prefix of one (as `library list` shows them). */
async function recordingId(target: RelayTarget, ref: string): Promise<string> {
  if (!/^[0-9a-f-]{4,36}$/.test(ref)) throw new UsageError('USAGE', { detail: `not a recording id: ${ref}` });
  if (ref.length === 36) return ref;
  const { recordings } = await relayRequest<{ recordings: { id: string }[] }>(target, 'GET', '/api/recordings');
  const matches = recordings.filter((r) => r.id.startsWith(ref));
  if (matches.length !== 1) throw new UsageError('USAGE', { detail: `${matches.length} recordings start with ${ref}` });
  return matches[0]!.id;
}

/** A full assignment id, or a unique prefix of one. */
async function assignmentId(target: RelayTarget, ref: string): Promise<string> {
  if (!/^[0-9a-f]{2,8}$/.test(ref)) throw new UsageError('ASSIGN_USAGE');
  if (ref.length === 8) return ref;
  const { assignments } = await relayRequest<{ assignments: AssignmentView[] }>(target, 'GET', '/api/assignments');
  const matches = assignments.filter((a) => a.id.startsWith(ref));
  return matches.length === 1 ? matches[0]!.id : ref; // none or several: the relay says ASSIGNMENT_UNKNOWN
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const first = String(args[0] ?? '');
  const relay = () => resolveRelay(ctx.dataDir, opts as { relay?: string; token?: string; ca?: string });
  if (first === 'list') {
    const { assignments } = await relayRequest<{ assignments: AssignmentView[] }>(await relay(), 'GET', '/api/assignments');
    ctx.out.result({ assignments }, () => (assignments.length ? assignments.map(listLine).join('\n') : t('assign_none')));
    return;
  }
  if (first === 'status') {
    if (args[1] === undefined) throw new UsageError('ASSIGN_USAGE');
    const target = await relay();
    const a = await relayRequest<AssignmentView>(target, 'GET', `/api/assignments/${await assignmentId(target, String(args[1]))}`);
    if (opts.csv) process.stdout.write(statusCsv(a));
    else ctx.out.result(a, () => statusTable(a));
    return;
  }
  // Everything the user typed is checked before the relay is asked.
  if (!first || args[1] !== undefined) throw new UsageError('ASSIGN_USAGE');
  if (typeof opts.to !== 'string') throw new UsageError('ASSIGN_NO_NAMES');
  const to = parseNames(opts.to);
  const due = parseDue(String(opts.due ?? '7d'));
  const target = await relay();
  const a = await relayRequest<AssignmentView>(target, 'POST', '/api/assignments', { recording: await recordingId(target, first), to, due });
  const width = Math.max(...a.assignees.map((x) => displayWidth(x.name)));
  ctx.out.result(a, () => [
    t('assign_created', { id: a.id, title: a.title ?? a.recordingId, due: localTime(a.due) }),
    ...a.assignees.map((p) => `${padTo(p.name, width)}  ${p.link ?? ''}`),
  ].join('\n'));
}
