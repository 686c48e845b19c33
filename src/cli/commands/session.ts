// `jiaoyan session start|list|show|end` through the relay's admin API.
import { UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { resolveRelay, relayRequest } from '../../client/relay-target.js';
import type { CliContext } from '../context.js';

interface SessionView {
  id: string; code: string; url: string; title: string; kind: string; seats: number; venues: string[];
  createdAt?: string; endedAt?: string | null; participants?: number | unknown[]; hostKey?: string;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? '');
  const ref = typeof args[1] === 'string' ? args[1] : undefined;
  const target = await resolveRelay(ctx.dataDir, opts as { relay?: string; token?: string; ca?: string });
  if (action === 'start') {
    if (typeof opts.title !== 'string') throw new UsageError('USAGE', { detail: 'session start needs --title' });
    const seats = opts.seats === undefined ? undefined : Number(opts.seats);
    if (seats !== undefined && (!Number.isInteger(seats) || seats < 0 || seats > 64)) {
      throw new UsageError('BAD_NUMBER', { flag: '--seats', what: '0–64', value: String(opts.seats) });
    }
    const venues = typeof opts.venues === 'string' ? opts.venues.split(/[,，]/).map((v) => v.trim()).filter(Boolean) : undefined;
    const s = await relayRequest<SessionView>(target, 'POST', '/api/sessions', {
      title: opts.title, ...(typeof opts.kind === 'string' ? { kind: opts.kind } : {}), ...(seats !== undefined ? { seats } : {}),
      ...(venues ? { venues } : {}), ...(opts.record ? { record: true } : {}),
    });
    const { id, code, url, hostKey, title, kind, venues: v } = s;
    ctx.out.result({ id, code, url, hostKey, title, kind, seats: s.seats, venues: v }, () =>
      [t('session_started', { title, code, url }), t('session_host_key', { hostKey: hostKey ?? '' })].join('\n'));
    return;
  }
  if (action === 'list') {
    const { sessions } = await relayRequest<{ sessions: SessionView[] }>(target, 'GET', '/api/sessions');
    ctx.out.result({ sessions }, () => sessions.length
      ? sessions.map((s) => `${s.code}  ${s.endedAt ? 'ended ' : 'live  '}${s.kind.padEnd(9)}${String(s.participants ?? 0).padStart(3)}  ${s.title}`).join('\n')
      : t('sessions_none'));
    return;
  }
  if ((action === 'show' || action === 'end') && ref) {
    const path = `/api/sessions/${encodeURIComponent(ref)}`;
    const s = await relayRequest<SessionView>(target, action === 'show' ? 'GET' : 'DELETE', path);
    ctx.out.result(s, () => action === 'end' ? t('session_ended_ok', { code: s.code }) : JSON.stringify(s, null, 2));
    return;
  }
  throw new UsageError('USAGE', { detail: 'session start --title T | list | show <id|code> | end <id|code>' });
}
