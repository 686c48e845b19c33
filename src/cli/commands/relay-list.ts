// `jiaoyan relay list [--timeout MS]`: the relays announcing themselves on the LAN (mDNS `_jiaoyan._tcp`), in the
// order they answered. With --json one object, `{ relays: [{ name, url, caFingerprint?, address }] }`, like the
// other list commands; none found is not an error (exit 0).
import { UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { discoverRelays, type FoundRelay } from '../../client/lan-discovery.js';
import type { CliContext } from '../context.js';

const MIN_MS = 100;
const MAX_MS = 60_000;

export function parseTimeout(value: unknown): number {
  const text = String(value);
  const n = Number(text);
  if (!/^\d{1,6}$/.test(text) || n < MIN_MS || n > MAX_MS) throw new UsageError('BAD_NUMBER', { flag: '--timeout', what: `${MIN_MS}–${MAX_MS} ms`, value: text });
  return n;
}

function line(r: FoundRelay): string {
  return `${r.name}  ${r.url}${r.caFingerprint ? `  CA ${r.caFingerprint.slice(0, 16)}…` : ''}`;
}

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const relays = await discoverRelays({ timeoutMs: parseTimeout(opts.timeout ?? '1500'), signal: ctx.signal });
  ctx.out.result({ relays }, () => (relays.length ? relays.map(line).join('\n') : t('relay_list_none')));
}
