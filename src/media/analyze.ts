// Measuring a lesson recording for self-review: loudness (EBU R128), a loudness curve, speaking vs silence
// with a threshold calibrated to the room's noise floor, long pauses, too-quiet stretches and slide/scene
// changes. Two ffmpeg runs: (1) every measurement that needs no threshold, audio and a downscaled video
// scene pass together so the file is read once; (2) silencedetect with the threshold calibrated from (1).
// Loudness says nothing about WHO speaks: no teacher/pupil split is claimed.
import { basename, resolve } from 'node:path';
import { RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { Ebur128SummaryParser, MetadataCollector, SilenceCollector } from './analysis-log.js';
import { runFfmpeg, type Progress } from './ffmpeg.js';
import { detectFeatures, type Features } from './features.js';
import {
  calibrate, closeSilences, longPauses, loudnessCurve, momentarySeries, quietStretches, round1, round3,
  totalSeconds, type Span,
} from './loudness-stats.js';
import type { AnalysisPreset } from './presets.js';
import { probe, type MediaInfo } from './probe.js';

const log = logger('analyze');

/** Width of the copy of the picture the scene pass looks at: cheap, and steadier against sensor noise. */
export const SCENE_WIDTH = 160;
const KEY_MOMENTARY = 'lavfi.r128.M';
const KEY_WINDOW_PEAK = 'lavfi.astats.Overall.Peak_level';
const KEY_SCENE_SELECT = 'lavfi.scene_score';
const KEY_SCENE_SCDET = 'lavfi.scd.time';

export type SceneMethod = 'scdet' | 'select';

export interface SceneChanges {
  readonly count: number;
  readonly perMinute: number;
  /** Seconds from the start of the recording. */
  readonly times: number[];
  readonly method: SceneMethod;
  /** The preset's threshold on select's 0..1 scene score (scdet gets it ×100). */
  readonly threshold: number;
}

export interface LessonAnalysis {
  readonly input: string;
  readonly file: string;
  readonly preset: string;
  readonly duration: number;
  readonly integratedLufs: number | null;
  readonly loudnessRange: number | null;
  readonly peak: { readonly true: number | null; readonly sample: number | null };
  /** Sample peak of the quietest 100 ms windows (the preset's percentile), dBFS. */
  readonly noiseFloorDb: number;
  /** The silencedetect threshold used, dBFS sample level. */
  readonly silenceThresholdDb: number;
  readonly silenceThresholdClamped: boolean;
  readonly speakingRatio: number;
  readonly silenceRatio: number;
  readonly silenceSeconds: number;
  readonly pauses: Span[];
  readonly quietStretches: Span[];
  readonly sceneChanges: SceneChanges | null;
  readonly curve: { readonly step: number; readonly values: number[] };
  /** Thresholds that shaped the result, for the reader of a report. */
  readonly thresholds: {
    readonly longPauseSeconds: number; readonly quietLufs: number; readonly quietMinSeconds: number; readonly silenceMinSeconds: number;
    readonly silenceAboveFloorDb: number; readonly silenceMinDb: number; readonly silenceMaxDb: number;
  };
}

export interface AnalyzeOptions {
  readonly input: string;
  readonly preset: AnalysisPreset;
  readonly signal?: AbortSignal;
  /** Overall progress, 0..100. */
  readonly onProgress?: (percent: number) => void;
  readonly info?: MediaInfo;
  /** Already detected features (tests and benches may force the select fallback). */
  readonly features?: Pick<Features, 'filters'>;
}

/** Audio chain of the first run: 100 ms frames, each tagged with momentary loudness and its sample peak. */
export function audioMeasureChain(): string {
  return [
    'aresample=48000',
    'asetnsamples=n=4800:p=0',
    'ebur128=metadata=1:peak=true+sample',
    'astats=metadata=1:reset=1',
    `ametadata=mode=print:key=${KEY_MOMENTARY}`,
    `ametadata=mode=print:key=${KEY_WINDOW_PEAK}`,
  ].join(',');
}

/** Video chain of the first run: scene changes on a small copy of the picture, with scdet where this ffmpeg has it. */
export function sceneChain(filters: ReadonlySet<string>, threshold: number): { chain: string; method: SceneMethod; key: string } {
  const scale = `scale=${SCENE_WIDTH}:-2:flags=fast_bilinear`;
  if (filters.has('scdet')) {
    return { chain: `${scale},scdet=threshold=${round3(threshold * 100)},metadata=mode=print:key=${KEY_SCENE_SCDET}`, method: 'scdet', key: KEY_SCENE_SCDET };
  }
  return { chain: `${scale},select='gt(scene,${threshold})',metadata=mode=print:key=${KEY_SCENE_SELECT}`, method: 'select', key: KEY_SCENE_SELECT };
}

export function silenceChain(thresholdDb: number, minSeconds: number): string {
  return `silencedetect=noise=${thresholdDb}dB:d=${minSeconds}`;
}

function progressOf(opts: AnalyzeOptions, from: number, share: number, seconds: number) {
  return (p: Progress) => {
    const part = seconds > 0 ? Math.min(1, p.done ? 1 : p.outTime / seconds) : 0;
    opts.onProgress?.(Math.min(99, from + part * share));
  };
}

export async function analyze(opts: AnalyzeOptions): Promise<LessonAnalysis> {
  const input = resolve(opts.input);
  const info = opts.info ?? (await probe(input, opts.signal));
  if (!info.audio) throw new RuntimeError('NO_AUDIO', { path: input });
  const preset = opts.preset;
  const features = opts.features ?? (await detectFeatures());
  const signal = opts.signal ? { signal: opts.signal } : {};
  const scene = info.video ? sceneChain(features.filters, preset.sceneThreshold) : undefined;
  const firstShare = scene ? 85 : 60;

  // Run 1: loudness, window peaks and (when there is a picture) scene changes.
  const meta = new MetadataCollector([KEY_MOMENTARY, KEY_WINDOW_PEAK, ...(scene ? [scene.key] : [])]);
  const summary = new Ebur128SummaryParser();
  const args = ['-i', input, '-map', '0:a:0', '-af', audioMeasureChain(), '-f', 'null', '-'];
  if (scene) args.push('-map', '0:v:0', '-vf', scene.chain, '-f', 'null', '-');
  await runFfmpeg(args, {
    inputName: input, ...signal, duration: info.duration,
    onProgress: progressOf(opts, 0, firstShare, info.duration),
    onStderrLine: (line) => {
      meta.onLine(line);
      summary.onLine(line);
    },
  });
  const series = momentarySeries(meta.get(KEY_MOMENTARY));
  const peaks = meta.get(KEY_WINDOW_PEAK);
  const duration = info.duration > 0 ? info.duration : (peaks.at(-1)?.t ?? 0) + 0.1;
  const cal = calibrate(peaks.map((p) => p.value), preset);

  // Run 2: silences under the calibrated threshold.
  const silenceLog = new SilenceCollector();
  await runFfmpeg(['-i', input, '-map', '0:a:0', '-af', silenceChain(cal.silenceThresholdDb, preset.silenceMinSeconds), '-f', 'null', '-'], {
    inputName: input, ...signal, duration: info.duration,
    onProgress: progressOf(opts, firstShare, 100 - firstShare, info.duration),
    onStderrLine: (line) => silenceLog.onLine(line),
  });
  const silences = closeSilences(silenceLog.finish(), duration);
  const silenceSeconds = totalSeconds(silences);
  let sceneChanges: SceneChanges | null = null;
  if (scene) {
    const times = meta.get(scene.key).map((s) => round3(s.t)).filter((t) => t > 0).sort((a, b) => a - b);
    sceneChanges = {
      count: times.length,
      perMinute: duration > 0 ? Math.round((times.length / (duration / 60)) * 100) / 100 : 0,
      times,
      method: scene.method,
      threshold: preset.sceneThreshold,
    };
  }
  const silenceRatio = duration > 0 ? Math.min(1, silenceSeconds / duration) : 0;
  const result: LessonAnalysis = {
    input,
    file: basename(input),
    preset: preset.name,
    duration: round3(duration),
    integratedLufs: summary.summary.integrated,
    loudnessRange: summary.summary.range,
    peak: { true: summary.summary.truePeak, sample: summary.summary.samplePeak },
    noiseFloorDb: cal.noiseFloorDb,
    silenceThresholdDb: cal.silenceThresholdDb,
    silenceThresholdClamped: cal.clamped,
    speakingRatio: round3(1 - silenceRatio),
    silenceRatio: round3(silenceRatio),
    silenceSeconds: round3(silenceSeconds),
    pauses: longPauses(silences, preset.longPauseSeconds),
    quietStretches: quietStretches(series, silences, {
      step: preset.curveStepSeconds, duration, quietLufs: preset.quietLufs, minSeconds: preset.quietMinSeconds,
    }),
    sceneChanges,
    curve: { step: preset.curveStepSeconds, values: loudnessCurve(series, preset.curveStepSeconds, duration) },
    thresholds: {
      longPauseSeconds: preset.longPauseSeconds, quietLufs: preset.quietLufs, quietMinSeconds: preset.quietMinSeconds,
      silenceMinSeconds: preset.silenceMinSeconds, silenceAboveFloorDb: preset.silenceAboveFloorDb,
      silenceMinDb: preset.silenceMinDb, silenceMaxDb: preset.silenceMaxDb,
    },
  };
  opts.onProgress?.(100);
  log('%s: I=%s floor=%d thr=%d silence=%ds scenes=%s', input, result.integratedLufs, cal.noiseFloorDb, cal.silenceThresholdDb,
    round1(silenceSeconds), sceneChanges?.count ?? '-');
  return result;
}
