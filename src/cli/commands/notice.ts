// `jiaoyan notice add <url|code> <file> --host-key K`, `notice list <url|code>`, `notice get <url|code> <id>
// [-o FILE]`: a live session's voice notices. Joins as a monitor (with the host key to add: only the host and seat
// holders may), takes the connection's member token and uses the relay's HTTPS side with it.
import { resolve } from 'node:path';
import { RuntimeError, UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { downloadNotice, uploadNotice } from '../../client/notice-transfer.js';
import type { ParticipantClient } from '../../client/participant-client.js';
import type { VoiceNotice } from '../../signaling/protocol.js';
import type { CliContext } from '../context.js';
import { openLink } from '../session-link.js';

/** How long `list` and `get` wait for the list the relay sends after joining. */
const LIST_WAIT_MS = 10_000;
const USAGE = 'notice add <url|code> <file> --host-key K | notice list <url|code> | notice get <url|code> <id> [-o FILE]';

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

function line(n: VoiceNotice): string {
  const at = new Date(n.at);
  const hhmm = Number.isNaN(at.getTime()) ? n.at : `${at.toISOString().slice(0, 10)} ${at.toTimeString().slice(0, 5)}`;
  return `${n.id}  ${hhmm}  ${clock(n.seconds).padStart(5)}  ${n.by}（${n.venue}）  ${n.bytes} B  ${n.mime}`;
}

/** The notices listed after joining (NOTICE_NO_LIST when the relay sends none in time). */
async function listed(client: ParticipantClient): Promise<VoiceNotice[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RuntimeError('NOTICE_NO_LIST', { seconds: LIST_WAIT_MS / 1000 })), LIST_WAIT_MS);
  });
  try {
    await Promise.race([client.noticeList(), late]);
  } finally {
    clearTimeout(timer);
  }
  return [...client.notices];
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const [action, target, item] = args.map((a) => (a === undefined ? undefined : String(a)));
  if ((action !== 'add' && action !== 'list' && action !== 'get') || !target) throw new UsageError('USAGE', { detail: USAGE });
  if (action !== 'list' && !item) throw new UsageError('USAGE', { detail: USAGE });
  const { client, relay } = await openLink(ctx, target, opts, action === 'add');
  try {
    const token = client.joined.memberToken;
    if (!token) throw new RuntimeError('NOTICE_UNSUPPORTED', { url: relay.url });
    const sessionId = client.joined.session.id;
    if (action === 'add') {
      const n = await uploadNotice(relay, sessionId, token, item!, ctx.signal);
      ctx.out.result(n, () => t('notice_added', { id: n.id, seconds: n.seconds, bytes: n.bytes, mime: n.mime }));
      return;
    }
    const notices = await listed(client);
    if (action === 'list') {
      ctx.out.result({ notices }, () => (notices.length ? notices.map(line).join('\n') : t('notice_none')));
      return;
    }
    const known = notices.find((n) => n.id === item);
    const output = resolve(typeof opts.output === 'string' ? opts.output : `${item}.${known?.mime === 'audio/webm' ? 'webm' : 'ogg'}`);
    const bytes = await downloadNotice(relay, sessionId, token, item!, output, ctx.signal);
    ctx.out.result({ id: item, output, bytes }, () => t('notice_saved', { id: item!, output, bytes }));
  } finally {
    client.close();
  }
}
