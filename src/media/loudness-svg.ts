// A self-contained SVG chart of a lesson's loudness a teacher can open in any browser: the curve in LUFS,
// long pauses and too-quiet stretches shaded, the too-quiet level, slide/scene changes, labels in the
// current language. No scripts, no external fonts or styles.
import { t } from '../core/i18n.js';
import type { LessonAnalysis } from './analyze.js';

const W = 960;
const H = 420;
const PLOT = { left: 68, right: W - 24, top: 78, bottom: H - 96 } as const;
const FONT = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Zen Hei','Microsoft YaHei','PingFang SC',sans-serif";

/** m:ss (or h:mm:ss from an hour on), optionally with tenths. */
export function formatClock(seconds: number, decimals = 0): string {
  const f = 10 ** decimals;
  const total = Math.round(Math.max(0, seconds) * f) / f;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total - h * 3600 - m * 60;
  const ss = s.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A tick interval giving at most `maxTicks` ticks over `duration` seconds. */
export function timeTickStep(duration: number, maxTicks = 10): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600]) if (duration / step <= maxTicks) return step;
  return 3600 * Math.ceil(duration / 3600 / maxTicks);
}

/** The loudness axis: whole tens of LUFS around the data and the too-quiet level. */
export function loudnessRange(values: readonly number[], extra: readonly number[]): { min: number; max: number } {
  const all = [...values, ...extra].filter(Number.isFinite);
  if (all.length === 0) return { min: -70, max: 0 };
  let max = Math.min(0, Math.ceil((Math.max(...all) + 2) / 10) * 10);
  let min = Math.max(-90, Math.floor((Math.min(...all) - 2) / 10) * 10);
  if (max - min < 20) min = max - 20;
  if (min >= max) max = min + 20;
  return { min, max };
}

const n1 = (v: number) => (Math.round(v * 10) / 10).toString();

export function loudnessSvg(a: LessonAnalysis): string {
  const duration = Math.max(a.duration, a.curve.step);
  const { values, step } = a.curve;
  const y = loudnessRange(values, [a.thresholds.quietLufs]);
  const px = (s: number) => PLOT.left + (Math.min(duration, Math.max(0, s)) / duration) * (PLOT.right - PLOT.left);
  const py = (db: number) => PLOT.bottom - ((Math.min(y.max, Math.max(y.min, db)) - y.min) / (y.max - y.min)) * (PLOT.bottom - PLOT.top);
  const out: string[] = [];
  const title = t('svg_title', { file: a.file });
  const facts = {
    integrated: a.integratedLufs === null ? t('analyze_na') : n1(a.integratedLufs),
    speaking: Math.round(a.speakingRatio * 100),
    pauses: a.pauses.length,
  };
  const summary = a.sceneChanges ? t('svg_summary', { ...facts, scenes: a.sceneChanges.count }) : t('svg_summary_no_video', facts);
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12">`);
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push('<style>.grid{stroke:#e3e3e3;stroke-width:1}.axis{stroke:#555;stroke-width:1}.pause{fill:#f4a261;fill-opacity:.35}'
    + '.quiet{fill:#8ecae6;fill-opacity:.35}.scene{stroke:#6a4c93;stroke-width:1;stroke-dasharray:2 3}'
    + '.threshold{stroke:#d62828;stroke-width:1.5;stroke-dasharray:6 4}.curve{fill:none;stroke:#1d3557;stroke-width:1.6}'
    + '.label{fill:#333}.muted{fill:#777}</style>');
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${PLOT.left}" y="28" font-size="17" font-weight="bold" class="label">${escapeXml(title)}</text>`);
  out.push(`<text x="${PLOT.left}" y="50" class="muted">${escapeXml(summary)}</text>`);

  // Grid and axes.
  for (let db = y.min; db <= y.max; db += 10) {
    out.push(`<line class="grid" x1="${PLOT.left}" x2="${PLOT.right}" y1="${py(db).toFixed(1)}" y2="${py(db).toFixed(1)}"/>`);
    out.push(`<text class="label" x="${PLOT.left - 8}" y="${(py(db) + 4).toFixed(1)}" text-anchor="end">${db}</text>`);
  }
  const tick = timeTickStep(duration);
  for (let s = 0; s <= duration + 1e-9; s += tick) {
    const x = px(s).toFixed(1);
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${PLOT.top}" y2="${PLOT.bottom}"/>`);
    out.push(`<text class="label" x="${x}" y="${PLOT.bottom + 18}" text-anchor="middle">${formatClock(s)}</text>`);
  }
  out.push(`<line class="axis" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}"/>`);
  out.push(`<line class="axis" x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.bottom}"/>`);
  out.push(`<text class="label" x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 38}" text-anchor="middle">${escapeXml(t('svg_axis_time'))}</text>`);
  out.push(`<text class="label" transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(t('svg_axis_loudness'))}</text>`);

  // Shaded spans, scene changes, the too-quiet level, curve.
  const band = (cls: string, s: { start: number; end: number; duration: number }) =>
    `<rect class="${cls}" data-start="${s.start}" data-end="${s.end}" x="${px(s.start).toFixed(1)}" y="${PLOT.top}" width="${Math.max(1, px(s.end) - px(s.start)).toFixed(1)}" height="${PLOT.bottom - PLOT.top}">`
    + `<title>${formatClock(s.start, 1)} – ${formatClock(s.end, 1)} (${n1(s.duration)} s)</title></rect>`;
  for (const q of a.quietStretches) out.push(band('quiet', q));
  for (const p of a.pauses) out.push(band('pause', p));
  for (const s of a.sceneChanges?.times ?? []) {
    out.push(`<line class="scene" x1="${px(s).toFixed(1)}" x2="${px(s).toFixed(1)}" y1="${PLOT.top}" y2="${PLOT.bottom}"><title>${formatClock(s, 1)}</title></line>`);
  }
  // The "too quiet" level is on the chart's own (loudness) scale; the silence threshold is a sample level and is not.
  const ty = py(a.thresholds.quietLufs).toFixed(1);
  out.push(`<line class="threshold" x1="${PLOT.left}" x2="${PLOT.right}" y1="${ty}" y2="${ty}"/>`);
  const points = values.map((v, i) => `${px(Math.min(duration, (i + 0.5) * step)).toFixed(1)},${py(v).toFixed(1)}`);
  if (points.length === 1) points.unshift(`${px(0).toFixed(1)},${py(values[0]!).toFixed(1)}`);
  out.push(`<polyline class="curve" points="${points.join(' ')}"/>`);

  // Legend.
  const ly = H - 30;
  const legend: [string, string][] = [
    [`<line class="curve" x1="0" x2="22" y1="-4" y2="-4"/>`, t('svg_legend_curve', { step: n1(step) })],
    [`<rect class="pause" x="0" y="-11" width="22" height="12"/>`, t('svg_legend_pause', { min: n1(a.thresholds.longPauseSeconds) })],
    [`<rect class="quiet" x="0" y="-11" width="22" height="12"/>`, t('svg_legend_quiet')],
    [`<line class="threshold" x1="0" x2="22" y1="-4" y2="-4"/>`, t('svg_legend_quiet_level', { value: n1(a.thresholds.quietLufs) })],
  ];
  if (a.sceneChanges) legend.push([`<line class="scene" x1="11" x2="11" y1="-12" y2="2"/>`, t('svg_legend_scene')]);
  let lx = PLOT.left;
  for (const [mark, text] of legend) {
    out.push(`<g transform="translate(${lx} ${ly})">${mark}<text class="label" x="28" y="0">${escapeXml(text)}</text></g>`);
    lx += 40 + [...text].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 12 : 6.6), 0);
  }
  out.push(`<text class="muted" x="${PLOT.left}" y="${H - 8}" font-size="11">${escapeXml(t('svg_note'))}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
