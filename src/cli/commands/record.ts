// `jiaoyan record start|stop <url|code> --host-key K`: start or stop recording a session at the relay.
import { t } from '../../core/i18n.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { openMonitor } from '../session-link.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? '');
  if (action !== 'start' && action !== 'stop') throw new UsageError('USAGE', { detail: 'record start|stop <url|code> --host-key K' });
  const client = await openMonitor(ctx, String(args[1] ?? ''), opts, true);
  try {
    await client.stateWhere(() => true);
    await client.request({ type: 'record', on: action === 'start' }, 60_000);
    const state = await client.stateWhere((s) => s.recording === (action === 'start'));
    ctx.out.result({ recording: state.recording }, () => t(state.recording ? 'record_started' : 'record_stopped'));
  } finally {
    client.close();
  }
}
