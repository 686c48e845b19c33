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

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const input = resolveMediaInput(ctx.dataDir, String(args[0]));
  const from = parseTime(String(opts.from));
  const to = parseTime(String(opts.to));
  const mode = parseMode(opts.mode);
  const presetName = typeof opts.preset === 'string' ? opts.preset : DEFAULT_ENCODE_PRESET;
  const preset = await encodePreset(ctx.dataDir, presetName);
  const output = resolve(typeof opts.output === 'string' ? opts.output : defaultOutputName(input, from, to));
  const info = await probe(input, ctx.signal);
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
