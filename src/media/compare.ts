// Putting 2 or 4 lesson recordings side by side with labels and running timecodes. The output appears
// under its final name only once ffmpeg finished and ffprobe confirmed its picture, length and sound.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { EnvironmentError, RuntimeError, UsageError } from '../core/errors.js';
import { tempPathFor } from '../core/fs.js';
import { t } from '../core/i18n.js';
import { logger } from '../core/log.js';
import { roundTime } from '../core/time.js';
import { checkInputCount, planCompare, type AudioChoice, type TileSource } from './compare-graph.js';
import { runFfmpeg } from './ffmpeg.js';
import { detectFeatures } from './features.js';
import { resolveFont } from './fonts.js';
import { probe, type MediaInfo } from './probe.js';

const log = logger('compare');

export interface CompareOptions {
  readonly inputs: readonly string[];
  readonly output: string;
  /** One per input; default: the file names without extension. */
  readonly labels?: readonly string[];
  readonly audio: AudioChoice;
  /** Font file with Chinese glyphs; default: one found with fontconfig or in the font folders. */
  readonly font?: string;
  readonly signal?: AbortSignal;
  /** 0..100 */
  readonly onProgress?: (percent: number) => void;
}

export interface CompareResult {
  readonly output: string;
  readonly inputs: string[];
  readonly labels: string[];
  /** "both" or the number of the input whose sound is used. */
  readonly audio: string;
  readonly width: number;
  readonly height: number;
  readonly duration: number;
  readonly fps: string;
  readonly font: string;
  /** Inputs whose sound was asked for but which have none (silence in their place). */
  readonly silentInputs: number[];
}

const REQUIRED_FILTERS = ['drawtext', 'tpad', 'hstack', 'xstack', 'join', 'apad', 'anullsrc'] as const;

export function defaultLabels(inputs: readonly string[]): string[] {
  return inputs.map((p) => basename(p, extname(p)));
}

/** A default output name in the current folder: lessonA_vs_lessonB.mp4 */
export function defaultCompareName(inputs: readonly string[]): string {
  return `${defaultLabels(inputs).map((b) => b.slice(0, 40)).join('_vs_')}.mp4`;
}

async function requireFilters(count: number): Promise<void> {
  const { filters } = await detectFeatures();
  for (const f of REQUIRED_FILTERS) {
    if (f === 'xstack' && count !== 4) continue;
    if (f === 'hstack' && count !== 2) continue;
    if (!filters.has(f)) throw new EnvironmentError('FILTER_MISSING', { filter: f, what: 'compare' }, { hint: t('TOOL_FIX') });
  }
}

function encodeArgs(fps: string): string[] {
  const [n, d] = fps.split('/').map(Number);
  const rate = n && d ? n / d : Number(fps) || 25;
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', String(Math.max(1, Math.round(rate * 2))),
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000'];
}

async function verify(path: string, expected: { duration: number; fps: string }, signal?: AbortSignal): Promise<MediaInfo> {
  const out = await probe(path, signal);
  const fail = (detail: string) => new RuntimeError('VERIFY_FAILED', { path, detail });
  if (!out.video) throw fail('no video stream');
  if (!out.audio || out.audio.channels !== 2) throw fail(`expected a stereo audio stream, found ${out.audio ? `${out.audio.channels} channel(s)` : 'none'}`);
  const [n, d] = expected.fps.split('/').map(Number);
  const frame = n && d ? d / n : 1 / (Number(expected.fps) || 25);
  if (out.duration < expected.duration - Math.max(0.25, 2 * frame)) {
    throw fail(`duration ${out.duration.toFixed(3)} s, expected ${expected.duration.toFixed(3)} s`);
  }
  return out;
}

export async function compare(opts: CompareOptions): Promise<CompareResult> {
  const inputs = opts.inputs.map((p) => resolve(p));
  checkInputCount(inputs.length);
  const labels = opts.labels ? [...opts.labels] : defaultLabels(inputs);
  if (labels.length !== inputs.length) throw new UsageError('LABELS_COUNT', { labels: labels.length, count: inputs.length });
  if (opts.audio.kind === 'one' && (opts.audio.index < 0 || opts.audio.index >= inputs.length)) {
    throw new UsageError('AUDIO_CHOICE', { count: inputs.length, value: String(opts.audio.index + 1) });
  }
  const output = resolve(opts.output);
  if (inputs.includes(output)) throw new UsageError('OUTPUT_SAME_AS_INPUT', { path: output });
  const font = await resolveFont(opts.font);
  await requireFilters(inputs.length);
  const infos = await Promise.all(inputs.map((p) => probe(p, opts.signal)));
  for (const info of infos) if (!info.video) throw new RuntimeError('INPUT_NO_VIDEO', { path: info.path });

  const work = await mkdtemp(join(tmpdir(), 'jiaoyan-compare-'));
  const tmp = tempPathFor(output, extname(output) || '.mp4');
  try {
    const sources: TileSource[] = await Promise.all(infos.map(async (info, i) => {
      const labelFile = join(work, `label${i}.txt`);
      await writeFile(labelFile, labels[i]!.replace(/\r?\n/g, ' '));
      const v = info.video!;
      return { width: v.width, height: v.height, duration: info.duration, fps: v.fps, fpsFraction: v.fpsFraction, hasAudio: !!info.audio, labelFile };
    }));
    const timecodeFile = join(work, 'timecode.txt');
    await writeFile(timecodeFile, '%{pts:hms}');
    const plan = planCompare(sources, { audio: opts.audio, fontFile: font.path, timecodeFile });
    const args = [
      ...inputs.flatMap((p) => ['-i', p]),
      '-filter_complex', plan.filter,
      '-map', plan.videoLabel, '-map', plan.audioLabel,
      ...encodeArgs(plan.fps),
      '-t', roundTime(plan.duration).toFixed(6),
      '-movflags', '+faststart', '-y', tmp,
    ];
    await runFfmpeg(args, {
      inputName: inputs.join(' + '),
      duration: plan.duration,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (p) => opts.onProgress?.(Math.min(99, p.percent ?? 0)),
    });
    const out = await verify(tmp, plan, opts.signal);
    await rename(tmp, output);
    opts.onProgress?.(100);
    log('%d inputs -> %s %dx%d %ds', inputs.length, output, out.video!.width, out.video!.height, out.duration);
    return {
      output,
      inputs,
      labels,
      audio: opts.audio.kind === 'both' ? 'both' : String(opts.audio.index + 1),
      width: out.video!.width,
      height: out.video!.height,
      duration: roundTime(Math.round(out.duration * 1000) / 1000),
      fps: plan.fps,
      font: font.path,
      silentInputs: plan.silentInputs,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
}
