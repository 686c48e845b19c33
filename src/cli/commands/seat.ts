// `jiaoyan seat grant|revoke|mute <url|code> <name> --host-key K [--camera]`: the host's seat and microphone
// controls. <name> is a participant's name, name@venue, or peer id. There is no remote unmute.
import { t } from '../../core/i18n.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { findParticipant, openMonitor } from '../session-link.js';

const ACTIONS = { grant: 'grantSeat', revoke: 'revokeSeat', mute: 'muteParticipant' } as const;

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? '');
  if (!(action in ACTIONS)) throw new UsageError('USAGE', { detail: 'seat grant|revoke|mute <url|code> <name> --host-key K' });
  const who = String(args[2] ?? '');
  if (!who) throw new UsageError('USAGE', { detail: `seat ${action} needs the participant's name` });
  const client = await openMonitor(ctx, String(args[1] ?? ''), opts, true);
  try {
    const state = await client.stateWhere(() => true);
    const p = findParticipant(state.participants, who);
    const type = ACTIONS[action as keyof typeof ACTIONS];
    const kind = opts.camera ? 'video' : 'audio';
    if (type === 'muteParticipant') await client.request({ type, peerId: p.peerId, kind });
    else await client.request({ type, peerId: p.peerId });
    ctx.out.result({ action, peerId: p.peerId, name: p.name, venue: p.venue, ...(type === 'muteParticipant' ? { kind } : {}) },
      () => t('seat_done', { action, name: p.name, venue: p.venue }));
  } finally {
    client.close();
  }
}
