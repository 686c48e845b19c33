// What the live-session commands (status, venue, seat, chat) share: the join target (URL or code), the relay
// and its CA, a monitor connection (no media, not listed), and finding a participant by name.
import { hostname } from 'node:os';
import { RefusedError, UsageError } from '../core/errors.js';
import { ParticipantClient } from '../client/participant-client.js';
import { resolveRelay, type RelayTarget } from '../client/relay-target.js';
import { normaliseCode, type Participant } from '../signaling/protocol.js';
import type { CliContext } from './context.js';

/** `https://host:port/j/482193775` → relay + code; a bare code → code only. */
export function parseJoinTarget(value: string): { relay?: string; code: string } {
  const m = /^(https?:\/\/[^/]+)\/j\/([0-9-]{9,13})\/?$/.exec(value.trim());
  if (m) return { relay: m[1]!, code: normaliseCode(m[2]!) };
  const code = normaliseCode(value);
  if (code.length !== 9) throw new UsageError('USAGE', { detail: `not an invite code or join URL: ${value}` });
  return { code };
}

export interface LinkOptions {
  readonly relay?: unknown;
  readonly ca?: unknown;
  readonly hostKey?: unknown;
  readonly name?: unknown;
  readonly venue?: unknown;
}

/** Join the session of `target` as a monitor (with the host key when given). */
export async function openMonitor(ctx: CliContext, target: string, opts: LinkOptions, needHostKey = false): Promise<ParticipantClient> {
  return (await openLink(ctx, target, opts, needHostKey)).client;
}

/** `openMonitor`, plus the relay it reached (URL and CA), for requests to its HTTPS side. */
export async function openLink(ctx: CliContext, target: string, opts: LinkOptions, needHostKey = false): Promise<{ client: ParticipantClient; relay: RelayTarget }> {
  const parsed = parseJoinTarget(target);
  const hostKey = typeof opts.hostKey === 'string' ? opts.hostKey : undefined;
  if (needHostKey && !hostKey) throw new UsageError('USAGE', { detail: 'this needs the session’s --host-key' });
  const relayFlag = typeof opts.relay === 'string' ? opts.relay : parsed.relay;
  const relay = await resolveRelay(ctx.dataDir, { ...(relayFlag ? { relay: relayFlag } : {}), ...(typeof opts.ca === 'string' ? { ca: opts.ca } : {}) });
  const client = await ParticipantClient.connect({
    relay: relay.url, code: parsed.code, monitor: true,
    name: typeof opts.name === 'string' ? opts.name : `jiaoyan@${hostname()}`,
    venue: typeof opts.venue === 'string' ? opts.venue : hostname(),
    ...(hostKey ? { hostKey } : {}), ...(relay.ca ? { ca: relay.ca } : {}),
  });
  ctx.signal.addEventListener('abort', () => client.close(), { once: true });
  return { client, relay };
}

/**
 * The participant `ref` names: a peer id, a name, or `name@venue` when a name is not unique. Refused (exit 4)
 * when nobody or more than one person matches.
 */
export function findParticipant(participants: readonly Participant[], ref: string): Participant {
  const byId = participants.find((p) => p.peerId === ref);
  if (byId) return byId;
  const at = ref.lastIndexOf('@');
  const [name, venue] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, undefined];
  const matches = participants.filter((p) => p.name === name && (venue === undefined || p.venue === venue));
  if (matches.length === 0) throw new RefusedError('PEER_UNKNOWN', { peer: ref });
  if (matches.length > 1) {
    throw new RefusedError('PEER_AMBIGUOUS', { name: ref, count: matches.length, matches: matches.map((p) => `${p.name}@${p.venue}`).join(', ') });
  }
  return matches[0]!;
}
