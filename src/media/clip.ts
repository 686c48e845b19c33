// Cutting one segment out of a lesson: copy (keyframe), smart (frame-accurate, mostly stream copy), encode.
import { appendFile, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, basename, join, resolve, extname } from 'node:path';
import { EnvironmentError, RuntimeError, UsageError } from '../core/errors.js';
import { tempPathFor } from '../core/fs.js';
import { logger } from '../core/log.js';
import { roundTime } from '../core/time.js';
import { detectFeatures } from './features.js';
import { runFfmpeg, type Progress } from './ffmpeg.js';
import { presetArgs, type EncodePreset } from './presets.js';
import { probe, videoPackets, videoStreamStats, type MediaInfo, type PacketTime } from './probe.js';
import { checkRange } from './range.js';
import { smartSegments } from './smart-segments.js';

const log = logger('clip');

export type ClipMode = 'smart' | 'copy' | 'encode';
export const CLIP_MODES: readonly ClipMode[] = ['smart', 'copy', 'encode'];

export interface ClipOptions {
  readonly input: string;
  readonly output: string;
  readonly from: number;
  readonly to: number;
  readonly mode: ClipMode;
  /** Used by `encode` mode. */
  readonly preset: EncodePreset;
  readonly signal?: AbortSignal;
  /** Overall progress, 0..100. */
  readonly onProgress?: (percent: number) => void;
  /** Already probed input (batch probes once per file). */
  readonly info?: MediaInfo;
}

export interface ClipResult {
  readonly output: string;
  readonly mode: ClipMode;
  readonly requested: { readonly from: number; readonly to: number };
  readonly actual: { readonly from: number; readonly to: number };
  readonly duration: number;
  readonly frames: number;
}

const num = (s: number) => roundTime(s).toFixed(6);

/** One ffmpeg step with its share of the total work, so progress is one smooth 0..100. */
interface Step {
  readonly weight: number;
  readonly seconds: number;
  readonly args: string[];
  readonly after?: () => Promise<void>;
}

const TS_NULL_PACKET = Buffer.concat([Buffer.from([0x47, 0x1f, 0xff, 0x10]), Buffer.alloc(184, 0xff)]);
const TS_MIN_BYTES = 64 * 1024;

/**
 * A segment of a few frames is a tiny MPEG-TS file that ffmpeg's format probe misdetects (as MPEG-PS), so the
 * concat demuxer would silently drop it. Null packets (PID 0x1FFF, ignored by every demuxer) make it long enough
 * to be recognised.
 */
async function padTransportStream(file: string): Promise<void> {
  const { size } = await stat(file);
  if (size >= TS_MIN_BYTES) return;
  const count = Math.ceil((TS_MIN_BYTES - size) / TS_NULL_PACKET.length);
  await appendFile(file, Buffer.concat(Array.from({ length: count }, () => TS_NULL_PACKET)));
}

async function runSteps(steps: Step[], opts: ClipOptions): Promise<void> {
  const total = steps.reduce((s, x) => s + x.weight * x.seconds, 0) || 1;
  let done = 0;
  for (const step of steps) {
    await runFfmpeg(step.args, {
      inputName: opts.input,
      duration: step.seconds,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (p: Progress) => {
        const part = Math.min(step.seconds, p.done ? step.seconds : p.outTime);
        opts.onProgress?.(Math.min(99, ((done + part * step.weight) / total) * 100));
      },
    });
    await step.after?.();
    done += step.weight * step.seconds;
  }
}

const X264_PROFILES: Record<string, string> = {
  'constrained baseline': 'baseline', baseline: 'baseline', main: 'main', high: 'high', 'high 10': 'high10', 'high 4:2:2': 'high422', 'high 4:4:4 predictive': 'high444',
};

/** Encoder arguments matching the source closely enough to splice with its stream-copied GOPs. */
function matchingVideoArgs(info: MediaInfo): string[] {
  const v = info.video!;
  const args = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16'];
  const profile = X264_PROFILES[(v.profile ?? '').toLowerCase()];
  if (profile) args.push('-profile:v', profile);
  if (v.pixFmt) args.push('-pix_fmt', v.pixFmt);
  return args;
}

function audioEncodeArgs(): string[] {
  return ['-c:a', 'aac', '-b:a', '128k'];
}

interface Plan {
  readonly frames: number;
  readonly actualFrom: number;
  readonly steps: Step[];
  readonly concat: { file: string; duration: number }[];
  readonly audio?: string;
}

/**
 * Smart cut: re-encode the frames before the first keyframe and after the last one, stream-copy the GOPs between.
 * Segment bounds are counted in frames, so the splice neither drops nor repeats a frame.
 */
function planSmart(info: MediaInfo, from: number, to: number, packets: PacketTime[], work: string): Plan {
  const fps = info.video!.fps;
  const frame = 1 / fps;
  const inRange = packets.filter((p) => p.t >= from - frame / 2 && p.t < to - frame / 2);
  if (inRange.length === 0) throw new RuntimeError('VERIFY_FAILED', { path: info.path, detail: 'no video frames in range' });
  const after = packets.find((p) => p.t >= to - frame / 2);
  // The range ends on a keyframe, or at the end of the file: the last GOP can be copied whole.
  const endsClean = after ? after.key : to >= info.duration - frame;
  const segments = smartSegments(inRange, endsClean, info.video!.codec === 'h264');
  const steps: Step[] = [];
  const concat: { file: string; duration: number }[] = [];
  segments.forEach((seg, i) => {
    const t0 = inRange[seg.start]!.t;
    const file = join(work, `v${i}.ts`);
    const seconds = seg.count * frame;
    const common = ['-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', String(seg.count), '-f', 'mpegts', '-y', file];
    if (seg.kind === 'encode') {
      // Accurate seek: frames before t0 are decoded and dropped; a quarter frame of slack absorbs rounding.
      steps.push({ weight: 5, seconds, args: ['-ss', num(Math.max(0, t0 - frame / 4)), '-i', info.path, ...matchingVideoArgs(info), ...common], after: () => padTransportStream(file) });
    } else {
      // Keyframe seek lands on the keyframe at or before the point: aim just past it (ffmpeg backs off ~0.13 s with B-frames).
      const next = inRange.slice(seg.start + 1).find((p) => p.key)?.t ?? after?.t;
      const eps = Math.min(0.15, next !== undefined ? (next - t0) / 2 : 0.15);
      steps.push({ weight: 0.2, seconds, args: ['-ss', num(t0 + eps), '-i', info.path, '-c', 'copy', ...common], after: () => padTransportStream(file) });
    }
    concat.push({ file, duration: seconds });
  });
  let audio: string | undefined;
  if (info.audio) {
    audio = join(work, 'a.m4a');
    steps.push({ weight: 0.3, seconds: to - from, args: ['-ss', num(from), '-i', info.path, '-t', num(inRange.length * frame), '-map', '0:a:0', '-vn', ...audioEncodeArgs(), '-y', audio] });
  }
  return { frames: inRange.length, actualFrom: inRange[0]!.t, steps, concat, ...(audio ? { audio } : {}) };
}

function muxArgs(plan: Plan, list: string, tmp: string): string[] {
  const args = ['-f', 'concat', '-safe', '0', '-i', list];
  if (plan.audio) args.push('-i', plan.audio);
  args.push('-map', '0:v:0');
  if (plan.audio) args.push('-map', '1:a:0');
  args.push('-c', 'copy', '-avoid_negative_ts', 'make_zero', '-movflags', '+faststart', '-y', tmp);
  return args;
}

/** The keyframe a stream copy from `t` really starts at, and how far past it to seek so ffmpeg lands on it. */
async function copyStart(info: MediaInfo, t: number, signal?: AbortSignal): Promise<{ key: number; seek: number }> {
  const frame = 1 / (info.video!.fps || 25);
  for (const window of [30, 300, Infinity]) {
    const packets = await videoPackets(info, Math.max(0, t - window), t + 0.2, signal);
    const i = packets.findLastIndex((p) => p.key && p.t <= t + frame / 2);
    if (i >= 0) {
      const key = packets[i]!.t;
      // ffmpeg backs off ~0.13 s before the seek point when the video has B-frames: aim 0.15 s past the keyframe,
      // or half way to the next keyframe when they are closer (intra-only video).
      const next = packets.slice(i + 1).find((p) => p.key)?.t;
      const eps = next !== undefined ? Math.min(0.15, (next - key) / 2) : 0.15;
      return { key, seek: key + eps };
    }
    if (t - window <= 0) break;
  }
  return { key: 0, seek: 0 };
}

/** Re-encoding modes need libx264 (and aac for the sound): say so before starting. */
async function requireEncoders(mode: ClipMode, hasAudio: boolean): Promise<void> {
  if (mode === 'copy') return;
  const { encoders } = await detectFeatures();
  for (const encoder of ['libx264', ...(hasAudio ? ['aac'] : [])]) {
    if (!encoders.has(encoder)) throw new EnvironmentError('ENCODER_MISSING', { encoder, what: `clip --mode ${mode}` });
  }
}

/** Cut [from, to) out of input into output; the output appears under its final name only once verified. */
export async function clip(opts: ClipOptions): Promise<ClipResult> {
  const output = resolve(opts.output);
  const input = resolve(opts.input);
  if (output === input) throw new UsageError('OUTPUT_SAME_AS_INPUT', { path: output });
  const info = opts.info ?? (await probe(input, opts.signal));
  if (!info.video) throw new RuntimeError('INPUT_NO_VIDEO', { path: input });
  checkRange(info, opts.from, opts.to);
  await requireEncoders(opts.mode, !!info.audio);
  const from = opts.from;
  const to = Math.min(opts.to, info.duration || opts.to);
  const fps = info.video.fps || 25;
  const frame = 1 / fps;
  const ext = extname(output) || '.mp4';
  const tmp = tempPathFor(output, ext);
  const work = await mkdtemp(join(dirname(output), `.${basename(output)}.${process.pid}.work-`));
  const signal = opts.signal;
  let actualFrom = from;
  let expectedFrames: number | undefined;
  try {
    if (opts.mode === 'copy') {
      const start = await copyStart(info, from, signal);
      actualFrom = start.key;
      await runSteps([{ weight: 1, seconds: to - actualFrom, args: [
        '-ss', num(start.seek), '-i', input, '-t', num(to - start.seek), '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
        '-avoid_negative_ts', 'make_zero', '-movflags', '+faststart', '-y', tmp] }], opts);
    } else if (opts.mode === 'encode') {
      await runSteps([{ weight: 1, seconds: to - from, args: [
        '-ss', num(from), '-i', input, '-t', num(to - from), '-map', '0:v:0', '-map', '0:a:0?',
        ...presetArgs(opts.preset, fps, !!info.audio), '-movflags', '+faststart', '-y', tmp] }], opts);
    } else {
      // Read well past the end: packets come in decode order, so B-frames shown just before `to` follow later ones.
      const packets = await videoPackets(info, Math.max(0, from - frame), to + Math.max(1, 16 * frame), signal);
      const plan = planSmart(info, from, to, packets, work);
      actualFrom = plan.actualFrom;
      expectedFrames = plan.frames;
      const list = join(work, 'list.ffconcat');
      await writeFile(list, ['ffconcat version 1.0', ...plan.concat.flatMap((c) => [`file '${basename(c.file)}'`, `duration ${num(c.duration)}`]), ''].join('\n'));
      await runSteps([...plan.steps, { weight: 0.1, seconds: to - from, args: muxArgs(plan, list, tmp) }], opts);
    }
    const stats = await videoStreamStats(tmp, signal);
    if (stats.frames === 0) throw new RuntimeError('VERIFY_FAILED', { path: output, detail: 'no video frames' });
    if (expectedFrames !== undefined && Math.abs(stats.frames - expectedFrames) > 1) {
      throw new RuntimeError('VERIFY_FAILED', { path: output, detail: `${stats.frames} frames, expected ${expectedFrames}` });
    }
    if (expectedFrames !== undefined && stats.duration > 0 && Math.abs(stats.duration - expectedFrames * frame) > frame / 2) {
      // The container shows fewer frames than it holds (an edit list cut one): a player would too.
      throw new RuntimeError('VERIFY_FAILED', { path: output, detail: `plays ${stats.duration.toFixed(3)} s, expected ${(expectedFrames * frame).toFixed(3)} s` });
    }
    const duration = opts.mode === 'copy' ? stats.duration || stats.frames * frame : stats.frames * frame;
    await rename(tmp, output);
    opts.onProgress?.(100);
    log('%s %s [%d,%d) -> %s: %d frames', opts.mode, input, from, to, output, stats.frames);
    return {
      output,
      mode: opts.mode,
      requested: { from: opts.from, to: opts.to },
      actual: { from: roundTime(actualFrom), to: roundTime(actualFrom + duration) },
      duration: roundTime(duration),
      frames: stats.frames,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
}
