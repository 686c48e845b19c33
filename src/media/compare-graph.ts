// The filtergraph of a side-by-side comparison: each input scaled to one height, square pixels, one frame
// rate, labelled and time-coded with drawtext, frozen on its last frame until the longest one ends, then
// stacked 2-up (hstack) or 4-up (xstack). Audio: one input's track, or the first two one per ear.
import { UsageError } from '../core/errors.js';

export type AudioChoice = { readonly kind: 'one'; readonly index: number } | { readonly kind: 'both' };

/** What the graph needs to know of one input. */
export interface TileSource {
  readonly width: number;
  readonly height: number;
  readonly duration: number;
  readonly fps: number;
  readonly fpsFraction: string;
  readonly hasAudio: boolean;
  /** File holding the label text (drawtext textfile=, so no escaping of the text itself). */
  readonly labelFile: string;
}

export interface ComparePlan {
  readonly filter: string;
  readonly videoLabel: string;
  readonly audioLabel: string;
  readonly tileWidth: number;
  readonly tileHeight: number;
  /** Expected output size (the picture's rotation metadata can change it; the output is probed anyway). */
  readonly width: number;
  readonly height: number;
  readonly fps: string;
  readonly duration: number;
  /** 1-based numbers of the inputs whose audio is used but missing (silence in their place). */
  readonly silentInputs: number[];
}

/** Tallest tile: 2-up stays within 1440×720-ish, 4-up within a 720p grid. */
export const MAX_TILE_HEIGHT = { 2: 720, 4: 360 } as const;
const MAX_FPS = 30;

/** Parse --audio: "both" or an input number 1..count. */
export function parseAudioChoice(value: string, count: number): AudioChoice {
  const v = value.trim().toLowerCase();
  if (v === 'both') return { kind: 'both' };
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n >= 1 && n <= count) return { kind: 'one', index: n - 1 };
  }
  throw new UsageError('AUDIO_CHOICE', { count, value });
}

/** Parse --labels: comma-separated (ASCII or full-width comma), one per input. */
export function parseLabels(value: string, count: number): string[] {
  const labels = value.split(/[,，]/).map((l) => l.trim());
  if (labels.length !== count) throw new UsageError('LABELS_COUNT', { labels: labels.length, count });
  return labels;
}

export function checkInputCount(count: number): asserts count is 2 | 4 {
  if (count !== 2 && count !== 4) throw new UsageError('COMPARE_COUNT', { count });
}

/**
 * Escape a value for a filter option inside a filtergraph: once for the option parser (`\ ' :`), once
 * for the graph parser (`\ ' [ ] , ;`). Paths with spaces, colons or quotes survive both.
 */
export function escapeFilterValue(value: string): string {
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** The width `scale=-2:H` gives an input (ffmpeg rounds w·H/h to the nearest even number). */
export function scaledWidth(width: number, height: number, tileHeight: number): number {
  return Math.max(2, 2 * Math.round((tileHeight * width) / (2 * height)));
}

function chooseFps(sources: readonly TileSource[]): string {
  const best = [...sources].filter((s) => s.fps > 0).sort((a, b) => b.fps - a.fps)[0];
  if (!best) return '25';
  return best.fps > MAX_FPS + 0.01 ? String(MAX_FPS) : best.fpsFraction;
}

export function planCompare(sources: readonly TileSource[], opts: {
  readonly audio: AudioChoice;
  readonly fontFile: string;
  /** File holding `%{pts:hms}`: drawtext expands it to the running time of each tile. */
  readonly timecodeFile: string;
}): ComparePlan {
  checkInputCount(sources.length);
  const count = sources.length;
  const lowest = Math.min(MAX_TILE_HEIGHT[count], ...sources.map((s) => s.height));
  const tileHeight = Math.max(2, lowest - (lowest % 2));
  const widths = sources.map((s) => scaledWidth(s.width, s.height, tileHeight));
  const tileWidth = Math.max(...widths);
  const fps = chooseFps(sources);
  const duration = Math.max(...sources.map((s) => s.duration));
  const font = escapeFilterValue(opts.fontFile);
  const fontSize = Math.max(12, Math.round(tileHeight / 16));
  const pad = Math.max(4, Math.round(fontSize / 2));
  const text = `fontfile=${font}:fontsize=${fontSize}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=${Math.round(pad / 2)}`;
  const parts: string[] = [];
  sources.forEach((s, i) => {
    const size = count === 2
      ? `scale=-2:${tileHeight}`
      : `scale=${tileWidth}:${tileHeight}:force_original_aspect_ratio=decrease,pad=${tileWidth}:${tileHeight}:(ow-iw)/2:(oh-ih)/2`;
    parts.push([
      `[${i}:v:0]setpts=PTS-STARTPTS`,
      size,
      'setsar=1',
      `fps=fps=${fps}`,
      'format=yuv420p',
      `drawtext=${text}:expansion=none:textfile=${escapeFilterValue(s.labelFile)}:x=${pad}:y=${pad}`,
      `drawtext=${text}:textfile=${escapeFilterValue(opts.timecodeFile)}:x=w-tw-${pad}:y=h-th-${pad}`,
      `tpad=stop=-1:stop_mode=clone[v${i}]`,
    ].join(','));
  });
  const tiles = sources.map((_, i) => `[v${i}]`).join('');
  parts.push(count === 2 ? `${tiles}hstack=inputs=2[vout]` : `${tiles}xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0[vout]`);

  const silentInputs: number[] = [];
  const track = (i: number, layout: 'mono' | 'stereo', label: string) => {
    if (sources[i]!.hasAudio) {
      parts.push(`[${i}:a:0]asetpts=PTS-STARTPTS,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=${layout},apad[${label}]`);
    } else {
      silentInputs.push(i + 1);
      parts.push(`anullsrc=r=48000:cl=${layout}[${label}]`);
    }
  };
  if (opts.audio.kind === 'both') {
    track(0, 'mono', 'a0');
    track(1, 'mono', 'a1');
    parts.push('[a0][a1]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[aout]');
  } else {
    track(opts.audio.index, 'stereo', 'aout');
  }
  return {
    filter: parts.join(';'),
    videoLabel: '[vout]',
    audioLabel: '[aout]',
    tileWidth,
    tileHeight,
    width: count === 2 ? widths.reduce((s, w) => s + w, 0) : 2 * tileWidth,
    height: count === 2 ? tileHeight : 2 * tileHeight,
    fps,
    duration,
    silentInputs,
  };
}
