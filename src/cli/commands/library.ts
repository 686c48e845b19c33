// `jiaoyan library list|show|approve|reject|publish|repair` through the relay's admin API: the recordings, their
// review (pending → approved | rejected → published, with who and when) and repair after a crash. `publish --to`
// uploads to the county relay (library-publish.ts); `token` manages the county's upload tokens (library-token.ts).
import { t } from '../../core/i18n.js';
import { UsageError } from '../../core/errors.js';
import { relayRequest, resolveRelay } from '../../client/relay-target.js';
import type { CliContext } from '../context.js';

interface RecordingView {
  id: string; title: string; kind: string; teacher?: string; subject?: string; startedAt: string; duration?: number;
  size?: number; state: string; venues: string[]; files: { name: string; role: string; speaker?: string; duration?: number }[];
  origin?: { school: string; recordingId: string };
}

function line(r: RecordingView): string {
  const minutes = r.duration === undefined ? '–' : `${Math.round(r.duration / 6) / 10} min`;
  return `${r.id.slice(0, 8)}  ${r.startedAt.slice(0, 16).replace('T', ' ')}  ${r.state.padEnd(9)} ${minutes.padStart(9)}  ${r.title}${r.teacher ? ` (${r.teacher})` : ''}${r.origin ? ` ← ${r.origin.school}` : ''}`;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? 'list');
  if (action === 'token') return (await import('./library-token.js')).tokenCommand(ctx, String(args[1] ?? ''), opts);
  // `publish --to URL`: --token and --ca are the county relay's; this school's relay is found from the data dir.
  const toCounty = action === 'publish' && typeof opts.to === 'string';
  const target = await resolveRelay(ctx.dataDir, (toCounty ? (typeof opts.relay === 'string' ? { relay: opts.relay } : {}) : opts) as { relay?: string; token?: string; ca?: string });
  if (action === 'list') {
    const q = new URLSearchParams();
    for (const k of ['teacher', 'subject', 'state', 'from', 'to'] as const) if (typeof opts[k] === 'string') q.set(k, opts[k]);
    const { recordings } = await relayRequest<{ recordings: RecordingView[] }>(target, 'GET', `/api/recordings${q.size ? `?${q}` : ''}`);
    ctx.out.result({ recordings }, () => (recordings.length ? recordings.map(line).join('\n') : t('library_none')));
    return;
  }
  const id = await resolveId(target, String(args[1] ?? ''));
  if (toCounty) return (await import('./library-publish.js')).publishTo(ctx, target, id, opts);
  if (action === 'show') {
    const r = await relayRequest<RecordingView>(target, 'GET', `/api/recordings/${id}`);
    ctx.out.result(r, () => JSON.stringify(r, null, 2));
    return;
  }
  if (action === 'approve' || action === 'publish' || action === 'repair' || action === 'reject') {
    if (action === 'reject' && typeof opts.reason !== 'string') throw new UsageError('USAGE', { detail: 'library reject <id> --reason "…"' });
    const r = await relayRequest<RecordingView>(target, 'POST', `/api/recordings/${id}/${action}`, action === 'reject' ? { reason: opts.reason } : {});
    ctx.out.result(r, () => line(r));
    return;
  }
  throw new UsageError('USAGE', { detail: 'library list | show <id> | approve <id> | reject <id> --reason R | publish <id> [--to URL --token T] | repair <id> | token create --school S' });
}

/** A full id, or a unique prefix of one (as `library list` shows them). */
async function resolveId(target: Parameters<typeof relayRequest>[0], ref: string): Promise<string> {
  if (!/^[0-9a-f-]{4,36}$/.test(ref)) throw new UsageError('USAGE', { detail: `not a recording id: ${ref}` });
  if (ref.length === 36) return ref;
  const { recordings } = await relayRequest<{ recordings: RecordingView[] }>(target, 'GET', '/api/recordings');
  const matches = recordings.filter((r) => r.id.startsWith(ref));
  if (matches.length !== 1) throw new UsageError('USAGE', { detail: `${matches.length} recordings start with ${ref}` });
  return matches[0]!.id;
}
