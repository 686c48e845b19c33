// `jiaoyan chat <url|code> [--send TEXT] [--tail] [--name N] [--venue V]`: post a message, follow the discussion
// until Ctrl-C, or (neither) print its history. NDJSON with --json: {"event":"message","from","venue","text","at"}.
import { t } from '../../core/i18n.js';
import type { ChatMessage } from '../../signaling/protocol.js';
import type { CliContext } from '../context.js';
import { openMonitor } from '../session-link.js';

function line(ctx: CliContext, m: ChatMessage): void {
  const hhmm = new Date(m.at).toTimeString().slice(0, 5);
  ctx.out.event({ event: 'message', from: m.from, venue: m.venue, text: m.text, at: m.at, t: m.t }, () => `${hhmm} ${m.from}（${m.venue}）: ${m.text}`);
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const client = await openMonitor(ctx, String(args[0] ?? ''), opts);
  try {
    await client.chatHistory();
    if (typeof opts.send === 'string') {
      await client.request({ type: 'chat', text: opts.send });
      const mine = client.chat.at(-1);
      if (!opts.tail) {
        ctx.out.result({ event: 'sent', ...(mine ? { at: mine.at, t: mine.t } : {}) }, () => t('chat_sent'));
        return;
      }
    }
    if (!opts.tail) {
      for (const m of client.chat) line(ctx, m);
      if (client.chat.length === 0 && !ctx.out.json) ctx.out.info(t('chat_none'));
      return;
    }
    for (const m of client.chat) line(ctx, m);
    client.on('chat', (m) => line(ctx, m));
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      client.on('closed', () => resolve());
      client.on('ended', () => resolve());
    });
  } finally {
    client.close();
  }
}
