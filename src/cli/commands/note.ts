// `jiaoyan note add <recording> --at T --tag TAG "text"`, `note list [<recording>]`, `note export <recording>
// --format md|csv [-o FILE]`: self-review notes on a recording of the library (offline, in the data dir).
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs.js';
import { formatTime, parseTime } from '../../core/time.js';
import { NOTE_TAGS, NoteStore, type Note, type NoteTag } from '../../store/note-store.js';
import type { CliContext } from '../context.js';
import { resolveMediaInput } from '../recording-input.js';

/** The recording id behind a reference (id or prefix): the name of its folder. */
export function recordingId(dataDir: string, ref: string): string {
  // A recording's program (any of its parts, VP8 WebM or H.264 Matroska) lives in the recording's own folder.
  const path = resolveMediaInput(dataDir, ref.replace(/:\d{1,3}$/, ''));
  const folder = dirname(path);
  if (dirname(folder) !== join(dataDir, 'recordings') || !/^program(-\d{1,3})?\.(webm|mkv|mp4)$/.test(basename(path))) {
    throw new UsageError('USAGE', { detail: `no recording ${ref} in this data dir` });
  }
  return basename(folder);
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function notesAsCsv(notes: readonly Note[]): string {
  return ['at,tag,text,suggested,by', ...notes.map((n) => [formatTime(n.at), n.tag, csvCell(n.text), n.suggested ? 'yes' : '', csvCell(n.by ?? '')].join(','))].join('\n') + '\n';
}

export function notesAsMarkdown(notes: readonly Note[], recording: string): string {
  const lines = [`# Notes — ${recording}`, '', '| time | tag | note | by |', '|---|---|---|---|'];
  const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const n of notes) lines.push(`| ${formatTime(n.at)} | ${n.tag}${n.suggested ? ' (suggested)' : ''} | ${cell(n.text)} | ${cell(n.by ?? '')} |`);
  return lines.join('\n') + '\n';
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? '');
  const store = new NoteStore(ctx.dataDir);
  if (action === 'add') {
    const recording = recordingId(ctx.dataDir, String(args[1] ?? ''));
    const text = args.slice(2).flat().map(String).join(' ').trim(); // commander passes [text...] as one array
    if (!text) throw new UsageError('USAGE', { detail: 'note add <recording> --at T --tag TAG "what to rework"' });
    const tag = String(opts.tag ?? 'other');
    if (!(NOTE_TAGS as readonly string[]).includes(tag)) throw new UsageError('BAD_CHOICE', { flag: '--tag', choices: NOTE_TAGS.join(', '), value: tag });
    const [note] = await store.add([{ recording, at: parseTime(String(opts.at ?? '0')), tag: tag as NoteTag, text }]);
    ctx.out.result(note!, () => `${note!.id}  ${formatTime(note!.at)}  ${note!.tag}  ${note!.text}`);
    return;
  }
  if (action === 'list') {
    const recording = args[1] === undefined ? undefined : recordingId(ctx.dataDir, String(args[1]));
    const notes = await store.list(recording);
    ctx.out.result({ notes }, () => notes.map((n) => `${n.id}  ${n.recording.slice(0, 8)}  ${formatTime(n.at)}  ${n.tag.padEnd(10)} ${n.text}${n.by ? `  — ${n.by}` : ''}`).join('\n'));
    return;
  }
  if (action === 'export') {
    const recording = recordingId(ctx.dataDir, String(args[1] ?? ''));
    const format = String(opts.format ?? 'md');
    if (format !== 'md' && format !== 'csv') throw new UsageError('BAD_CHOICE', { flag: '--format', choices: 'md, csv', value: format });
    const notes = await store.list(recording);
    const text = format === 'csv' ? notesAsCsv(notes) : notesAsMarkdown(notes, recording);
    if (typeof opts.output === 'string') {
      await writeFileAtomic(opts.output, text, 0o644);
      ctx.out.result({ output: opts.output, notes: notes.length }, () => opts.output as string);
    } else {
      process.stdout.write(text);
    }
    return;
  }
  throw new UsageError('USAGE', { detail: 'note add | list | export' });
}
