// `jiaoyan status <url|code> [--host-key K] [--json]`: the live Ink dashboard of a session (with the host key:
// push the venue, step the rundown, grant/revoke seats, mute). --json, or no terminal: one snapshot and exit.
import type { SessionControls } from '../../core/dashboard.js';
import { t } from '../../core/i18n.js';
import type { ParticipantClient } from '../../client/participant-client.js';
import type { CliContext } from '../context.js';
import { sessionSnapshot } from '../session-snapshot.js';
import { openMonitor, parseJoinTarget } from '../session-link.js';

function controlsOf(client: ParticipantClient): SessionControls {
  return {
    pushVenue: (venue) => client.request({ type: 'pushVenue', venue }),
    nextStep: () => client.request({ type: 'nextStep' }),
    grantSeat: (peerId) => client.request({ type: 'grantSeat', peerId }),
    revokeSeat: (peerId) => client.request({ type: 'revokeSeat', peerId }),
    mute: (peerId, kind) => client.request({ type: 'muteParticipant', peerId, kind }),
    record: (on) => client.request({ type: 'record', on }, 60_000),
  };
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const target = String(args[0] ?? '');
  const { code } = parseJoinTarget(target);
  const client = await openMonitor(ctx, target, opts);
  try {
    await client.stateWhere(() => true);
    await client.chatHistory();
    const host = client.joined.role === 'host';
    if (ctx.out.json || !process.stdout.isTTY) {
      // One snapshot; with the host key, one that carries traffic figures (the relay sends one at once).
      if (host && !client.lastStatus) await new Promise<void>((resolve) => client.once('status', () => resolve()));
      const snapshot = sessionSnapshot(client, code)!;
      ctx.out.result(snapshot, () => plainSnapshot(snapshot));
      return;
    }
    const [{ renderStatusApp }, { SnapshotStore }] = await Promise.all([import('../../ui/StatusApp.js'), import('../../ui/snapshot-store.js')]);
    const store = new SnapshotStore(sessionSnapshot(client, code));
    const refresh = () => {
      const s = sessionSnapshot(client, code);
      if (s) store.set(s);
    };
    for (const e of ['state', 'status', 'chat'] as const) client.on(e, refresh);
    const view = renderStatusApp(store, { t: (key, params) => t(key, params), ...(host ? { controls: controlsOf(client) } : {}) });
    const stop = () => view.unmount();
    ctx.signal.addEventListener('abort', stop, { once: true });
    client.on('closed', stop);
    client.on('ended', stop);
    await view.exited;
  } finally {
    client.close();
  }
}

/** The snapshot as a few lines of text (no terminal to draw on). */
function plainSnapshot(s: ReturnType<typeof sessionSnapshot> & object): string {
  const lines = [`${s.title} (${s.kind}) ${s.code}`, `main venue: ${s.mainVenue ?? '–'}${s.pendingVenue ? ` → ${s.pendingVenue}` : ''}`,
    `seats: ${s.seats.taken}/${s.seats.total}`];
  if (s.rundown.steps.length) lines.push(`rundown: ${s.rundown.steps.map((x, i) => `${i === s.rundown.current ? '▶' : ' '}${x.venue}:${x.label}`).join('  ')}`);
  for (const p of s.participants) lines.push(`  ${p.name} @ ${p.venue}  ${p.role}${p.seat ? ' seat' : ''}${p.publishing ? ' publishing' : ''}${p.hand ? ' hand' : ''}${p.muted.audio ? ' mic-off' : ''}`);
  return lines.join('\n');
}
