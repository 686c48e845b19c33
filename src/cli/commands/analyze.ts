// `jiaoyan analyze <input> [--json] [--plot OUT.svg] [--preset NAME]`
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs.js';
import { t } from '../../core/i18n.js';
import { analyze, type LessonAnalysis } from '../../media/analyze.js';
import type { Span } from '../../media/loudness-stats.js';
import { formatClock, loudnessSvg } from '../../media/loudness-svg.js';
import { analysisPreset } from '../../media/presets.js';
import { sparkline } from '../../ui/sparkline.js';
import type { CliContext } from '../context.js';
import { resolveMediaInput } from '../recording-input.js';
import { NoteStore } from '../../store/note-store.js';
import { recordingId } from './note.js';

const SPARK_WIDTH = 60;
const MAX_TIMES = 20;
const db = (v: number | null) => (v === null ? t('analyze_na') : v.toFixed(1));

function spans(list: readonly Span[]): string[] {
  return list.map((s) => t('analyze_span', { start: formatClock(s.start, 1), end: formatClock(s.end, 1), duration: s.duration.toFixed(1) }));
}

/** The terminal summary. */
export function humanSummary(a: LessonAnalysis, plot?: string): string {
  const values = a.curve.values;
  const low = Math.max(-70, Math.min(...values));
  const high = Math.max(low + 1, ...values);
  const marks = Math.min(SPARK_WIDTH, values.length);
  const lines = [
    t('analyze_header', { file: a.file, duration: formatClock(a.duration, 1) }),
    t('analyze_loudness', { integrated: db(a.integratedLufs), range: db(a.loudnessRange), truePeak: db(a.peak.true), samplePeak: db(a.peak.sample) }),
    t('analyze_curve', { spark: sparkline(values, { width: SPARK_WIDTH, min: low, max: high }) }),
    t('analyze_curve_scale', { min: low.toFixed(0), max: high.toFixed(0), step: (Math.round((a.duration / Math.max(1, marks)) * 10) / 10).toString() }),
    t('analyze_sound', { speaking: (a.speakingRatio * 100).toFixed(1), silence: (a.silenceRatio * 100).toFixed(1) }),
  ];
  const th = a.thresholds;
  lines.push(a.silenceThresholdClamped
    ? t('analyze_threshold_clamped', { threshold: a.silenceThresholdDb.toFixed(1), floor: a.noiseFloorDb.toFixed(1), min: th.silenceMinDb, max: th.silenceMaxDb })
    : t('analyze_threshold', { threshold: a.silenceThresholdDb.toFixed(1), floor: a.noiseFloorDb.toFixed(1), margin: th.silenceAboveFloorDb }));
  lines.push(t('analyze_pauses', { count: a.pauses.length, min: a.thresholds.longPauseSeconds }), ...spans(a.pauses));
  lines.push(t('analyze_quiet', { count: a.quietStretches.length, lufs: a.thresholds.quietLufs, min: a.thresholds.quietMinSeconds }), ...spans(a.quietStretches));
  if (a.sceneChanges) {
    lines.push(t('analyze_scenes', { count: a.sceneChanges.count, perMinute: a.sceneChanges.perMinute.toFixed(2) }));
    if (a.sceneChanges.count > 0) {
      const shown = a.sceneChanges.times.slice(0, MAX_TIMES).map((s) => formatClock(s, 1));
      lines.push(t('analyze_scene_times', { times: shown.join(', ') + (a.sceneChanges.count > MAX_TIMES ? ', …' : '') }));
    }
  } else {
    lines.push(t('analyze_scenes_none'));
  }
  lines.push(t('analyze_note'));
  if (plot) lines.push(t('analyze_plot_written', { path: plot }));
  return lines.join('\n');
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const input = resolveMediaInput(ctx.dataDir, String(args[0]));
  const plot = typeof opts.plot === 'string' ? resolve(opts.plot) : undefined;
  if (plot && plot === input) throw new UsageError('OUTPUT_SAME_AS_INPUT', { path: plot });
  const preset = await analysisPreset(ctx.dataDir, typeof opts.preset === 'string' ? opts.preset : 'default');
  const result = await analyze({ input, preset, signal: ctx.signal, onProgress: (p) => ctx.out.progress.update(p) });
  ctx.out.progress.end();
  if (plot) await writeFileAtomic(plot, loudnessSvg(result));
  // On a recording of the library, --suggest-notes turns long pauses and quiet stretches into suggested notes.
  let suggested: number | undefined;
  if (opts.suggestNotes) {
    const recording = recordingId(ctx.dataDir, String(args[0]));
    const notes = [
      ...result.pauses.map((p) => ({ recording, at: p.start, tag: 'pace' as const, text: t('note_suggest_pause', { seconds: p.duration.toFixed(1) }), suggested: true })),
      ...result.quietStretches.map((q) => ({ recording, at: q.start, tag: 'voice' as const, text: t('note_suggest_quiet', { seconds: q.duration.toFixed(1) }), suggested: true })),
    ];
    suggested = (await new NoteStore(ctx.dataDir).add(notes)).length;
  }
  ctx.out.result({ ...result, ...(plot ? { plot } : {}), ...(suggested !== undefined ? { suggestedNotes: suggested } : {}) }, () => humanSummary(result, plot));
}
