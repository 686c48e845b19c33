// `jiaoyan doc import|export|history|list <url|code>`: a live session's shared documents from a script.
//   import <url|code> FILE --host-key K [--name plan]  the file's text (UTF-8, BOM dropped, CRLF kept) replaces the
//                                                      document's, and the relay cuts a revision labelled `import`
//   export <url|code> [--name plan] [-o FILE] [--at REV] the text (now, or at that revision) byte for byte
//   history <url|code> [--name plan]                   the revisions (NDJSON with --json)
//   list <url|code>                                    the session's documents
import { writeFileAtomic } from '../../core/fs.js';
import { RefusedError, remoteError, UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { MAX_DOC_BYTES, type DocInfo, type DocRevision, type ServerMessage } from '../../signaling/protocol.js';
import { displayWidth, padStartTo, padTo } from '../../ui/text-width.js';
import type { CliContext } from '../context.js';
import { readDocFile } from '../doc-file.js';
import { DocLink, docName } from '../doc-link.js';
import { localTime } from './assign.js';

const USAGE = 'doc import <url|code> FILE --host-key K [--name N] | export <url|code> [--name N] [-o FILE] [--at REV] | history <url|code> [--name N] | list <url|code>';

type Action = (ctx: CliContext, args: unknown[], opts: Record<string, unknown>) => Promise<void>;

const ACTIONS: Record<string, Action> = { import: importDoc, export: exportDoc, history, list };

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = ACTIONS[String(args[0] ?? '')];
  if (!action) throw new UsageError('USAGE', { detail: USAGE });
  await action(ctx, args.slice(1), opts);
}

/** Run `work` with a link to the session, closing it after. */
async function withLink<T>(ctx: CliContext, target: unknown, opts: Record<string, unknown>, needHostKey: boolean, work: (link: DocLink) => Promise<T>): Promise<T> {
  const { relay, ca, hostKey, author, venue } = opts;
  const link = await DocLink.open(ctx, String(target ?? ''), { relay, ca, hostKey, name: author, venue }, needHostKey);
  try {
    return await work(link);
  } finally {
    link.close();
  }
}

async function importDoc(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const name = docName(opts.name);
  const path = typeof args[1] === 'string' ? args[1] : '';
  if (!path) throw new UsageError('USAGE', { detail: 'doc import <url|code> FILE --host-key K [--name N]' });
  const file = await readDocFile(path);
  if (file.bytes > MAX_DOC_BYTES) throw new RefusedError('DOC_TOO_LARGE', { max: MAX_DOC_BYTES });
  const rev = await withLink(ctx, args[0], opts, true, async (link) => {
    const replica = await link.replica(name);
    // The relay handles a connection's messages in order: when the history comes back, the update was applied
    // (or refused: its error came first).
    let refused: Extract<ServerMessage, { type: 'error' }> | undefined;
    replica.on('refused', (m) => {
      if (m.ref === 'docUpdate') refused ??= m;
    });
    replica.replaceText(file.text, { label: 'import' });
    const revisions = await replica.history();
    if (refused) throw remoteError('refused', refused.code, refused.message, refused.params);
    return [...revisions].reverse().find((r) => r.label === 'import') ?? revisions.at(-1);
  });
  ctx.out.result({ doc: name, path, rev: rev?.rev ?? null, chars: file.text.length, bytes: file.bytes, bom: file.bom },
    () => t('doc_imported', { path, doc: name, chars: file.text.length, rev: rev?.rev ?? '–' }));
}

async function exportDoc(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const name = docName(opts.name);
  const at = opts.at === undefined ? undefined : revNumber(opts.at);
  const text = await withLink(ctx, args[0], opts, false, async (link) => {
    await link.existing(name);
    if (at !== undefined) return (await link.replica(name, false)).textAt(at);
    return (await link.replica(name)).text.toString();
  });
  const bytes = Buffer.from(text, 'utf8');
  const output = typeof opts.output === 'string' ? opts.output : undefined;
  const data = { doc: name, ...(at !== undefined ? { rev: at } : {}), chars: text.length, bytes: bytes.byteLength };
  if (output) {
    await writeFileAtomic(output, bytes);
    ctx.out.result({ ...data, output }, () => t('doc_exported', { doc: name, at: at === undefined ? '' : t('doc_at_rev', { rev: at }), output, bytes: bytes.byteLength }));
  } else if (ctx.out.json) {
    ctx.out.result({ ...data, text }, () => text);
  } else {
    // The text itself, byte for byte (no newline added): `jiaoyan doc export CODE > plan.md`.
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (err) => (err ? reject(err) : resolve())));
  }
}

async function history(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const name = docName(opts.name);
  const revisions = await withLink(ctx, args[0], opts, false, async (link) => {
    await link.existing(name);
    return (await link.replica(name, false)).history();
  });
  if (ctx.out.json) {
    for (const r of revisions) ctx.out.event({ event: 'revision', doc: name, ...r });
    return;
  }
  if (revisions.length === 0) return ctx.out.info(t('doc_history_none', { doc: name }));
  ctx.out.result({ revisions }, () => historyTable(revisions));
}

async function list(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const docs = await withLink(ctx, args[0], opts, false, (link) => link.docs());
  if (!ctx.out.json && docs.length === 0) return ctx.out.info(t('doc_list_none'));
  ctx.out.result({ docs }, () => listTable(docs));
}

function revNumber(value: unknown): number {
  const s = String(value);
  if (!/^\d{1,9}$/.test(s)) throw new UsageError('BAD_NUMBER', { flag: '--at', what: t('doc_rev_what'), value: s });
  return Number(s);
}

/** Rows under headers; `right` marks the columns aligned to the right (numbers). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (right.has(i) ? padStartTo(c, widths[i]!) : i === cells.length - 1 ? c : padTo(c, widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function historyTable(revisions: readonly DocRevision[]): string {
  const headers = (['doc_col_rev', 'doc_col_at', 'doc_col_chars', 'doc_col_bytes', 'doc_col_by'] as const).map((k) => t(k));
  const rows = revisions.map((r) => [String(r.rev), localTime(r.at), String(r.chars), String(r.bytes), [r.by.join(', '), r.label ? `(${r.label})` : ''].filter(Boolean).join(' ')]);
  return table(headers, rows, new Set([0, 2, 3]));
}

export function listTable(docs: readonly DocInfo[]): string {
  const headers = (['doc_col_name', 'doc_col_chars', 'doc_col_updated'] as const).map((k) => t(k));
  return table(headers, docs.map((d) => [d.name, String(d.chars), localTime(d.updatedAt)]), new Set([1]));
}
