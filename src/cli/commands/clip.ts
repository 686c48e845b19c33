// `jiaoyan clip <input> --from --to [--mode] [--preset] [-o] [tags]`
import { stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { formatTime, parseTime } from '../../core/time.js';
import { clip, CLIP_MODES, type ClipMode } from '../../media/clip.js';
import { DEFAULT_ENCODE_PRESET, encodePreset } from '../../media/presets.js';
import { probe } from '../../media/probe.js';
import { ClipCatalogue } from '../../store/clip-catalogue.js';
import { NoteStore } from '../../store/note-store.js';
import { CatalogueLedger } from '../clip-ledger.js';
import type { CliContext } from '../context.js';
import { resolveMediaInput } from '../recording-input.js';

export function parseMode(value: unknown): ClipMode {
  const v = String(value ?? 'smart');
  if (!(CLIP_MODES as readonly string[]).includes(v)) throw new UsageError('BAD_CHOICE', { flag: '--mode', choices: CLIP_MODES.join(', '), value: v });
  return v as ClipMode;
}

/** Default output name beside the current folder: lesson_00.03.24.400-00.07.54.000.mp4 */
export function defaultOutputName(input: string, from: number, to: number): string {
  const base = basename(input, extname(input));
  const stamp = (s: number) => formatTime(s).replaceAll(':', '.');
  return `${base}_${stamp(from)}-${stamp(to)}.mp4`;
}

/** Input and range: given, or the moment around a self-review note of a recording. */
async function whatToCut(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<{ input: string; from: number; to: number }> {
  if (typeof opts.fromNote === 'string') {
    const note = await new NoteStore(ctx.dataDir).get(opts.fromNote);
    if (!note) throw new UsageError('USAGE', { detail: `no note ${opts.fromNote} (see \`jiaoyan note list\`)` });
    const around = Number(opts.around ?? 30);
    if (!(around > 0)) throw new UsageError('BAD_NUMBER', { flag: '--around', what: '> 0', value: String(opts.around) });
    const from = Math.max(0, note.at - around / 2);
    return { input: resolveMediaInput(ctx.dataDir, note.recording), from, to: from + around };
  }
  if (args[0] === undefined || opts.from === undefined || opts.to === undefined) {
    throw new UsageError('USAGE', { detail: 'clip <input> --from T --to T (or clip --from-note NOTE)' });
  }
  return { input: resolveMediaInput(ctx.dataDir, String(args[0])), from: parseTime(String(opts.from)), to: parseTime(String(opts.to)) };
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const { input, from, to: wanted } = await whatToCut(ctx, args, opts);
  const info0 = typeof opts.fromNote === 'string' ? await probe(input, ctx.signal) : undefined;
  // Around a note near the end: stop at the end of the recording.
  const to = info0 ? Math.min(wanted, info0.duration) : wanted;
  const mode = parseMode(opts.mode);
  const presetName = typeof opts.preset === 'string' ? opts.preset : DEFAULT_ENCODE_PRESET;
  const preset = await encodePreset(ctx.dataDir, presetName);
  const output = resolve(typeof opts.output === 'string' ? opts.output : defaultOutputName(input, from, to));
  const info = info0 ?? (await probe(input, ctx.signal));
  const inputStat = await stat(input); // identity of the source at cutting time
  const result = await clip({
    input, output, from, to, mode, preset, info, signal: ctx.signal,
    onProgress: (p) => ctx.out.progress.update(p),
  });
  ctx.out.progress.end();
  const tag = (k: string) => (typeof opts[k] === 'string' ? { [k]: opts[k] as string } : {});
  await new CatalogueLedger(new ClipCatalogue(ctx.dataDir), mode, presetName).record(
    { input, inputSize: inputStat.size, inputMtimeMs: inputStat.mtimeMs, from, to, output,
      tags: { ...tag('teacher'), ...tag('phase'), ...tag('subject'), ...tag('title') } },
    result,
  );
  ctx.out.result(result, () => {
    const lines = [t('clip_done', { output: result.output, mode: result.mode, from: formatTime(result.actual.from), to: formatTime(result.actual.to), duration: result.duration.toFixed(3), frames: result.frames })];
    if (mode === 'copy' && Math.abs(result.actual.from - from) > 1e-3) {
      lines.push(t('clip_copy_note', { actual: formatTime(result.actual.from), requested: formatTime(from) }));
    }
    return lines.join('\n');
  });
}
