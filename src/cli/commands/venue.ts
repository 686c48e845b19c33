// `jiaoyan venue push <url|code> --to VENUE --host-key K` and `jiaoyan venue next <url|code> --host-key K`:
// hand the main venue on, or step the rundown; wait (a few seconds at most) for the switch to happen.
import { t } from '../../core/i18n.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { openMonitor } from '../session-link.js';

/** How long to wait for the new venue's keyframe before reporting the push as still pending. */
const SWITCH_WAIT_MS = 5000;

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? '');
  if (action !== 'push' && action !== 'next') throw new UsageError('USAGE', { detail: 'venue push <url|code> --to VENUE | venue next <url|code>' });
  if (action === 'push' && typeof opts.to !== 'string') throw new UsageError('USAGE', { detail: 'venue push needs --to VENUE' });
  const client = await openMonitor(ctx, String(args[1] ?? ''), opts, true);
  try {
    await client.stateWhere(() => true);
    if (action === 'push') await client.request({ type: 'pushVenue', venue: String(opts.to) });
    else await client.request({ type: 'nextStep' });
    const state = await client.stateWhere((s) => s.pendingVenue === null && s.mainVenue !== null, SWITCH_WAIT_MS).catch(() => client.lastState!);
    const step = state.rundown.current === null ? null : state.rundown.steps[state.rundown.current] ?? null;
    const switched = state.pendingVenue === null;
    const venue = switched ? state.mainVenue : state.pendingVenue;
    ctx.out.result(
      { mainVenue: state.mainVenue, pendingVenue: state.pendingVenue, switched, step: state.rundown.current, label: step?.label ?? null },
      () => action === 'next' && step
        ? t('venue_stepped', { step: (state.rundown.current ?? 0) + 1, label: step.label, venue: venue ?? '' })
        : switched ? t('venue_pushed', { venue: venue ?? '' }) : t('venue_pending', { venue: venue ?? '' }),
    );
  } finally {
    client.close();
  }
}
