// `jiaoyan relay status [--relay URL] [--token T]`
import { resolveRelay, relayRequest } from '../../client/relay-target.js';
import type { CliContext } from '../context.js';

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const target = await resolveRelay(ctx.dataDir, opts as { relay?: string; token?: string; ca?: string });
  const status = await relayRequest<{ url: string; version: string; uptime: number; sessions: number; peers: number }>(target, 'GET', '/api/relay');
  ctx.out.result(status, () => `${status.url}  v${status.version}  up ${status.uptime} s  sessions ${status.sessions}  peers ${status.peers}`);
}
