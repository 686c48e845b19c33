// Presets are data: encode presets and analysis thresholds in presets/, overridden by the user's in <data-dir>/presets/.
import { readdir, readFile } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';

const text = z.object({ en: z.string(), zh: z.string() });

export const encodePresetSchema = z.object({
  name: z.string().min(1),
  description: text,
  video: z.object({
    codec: z.literal('libx264'),
    height: z.number().int().positive().optional(),
    crf: z.number().min(0).max(51),
    maxrate: z.string().regex(/^\d+[kM]?$/).optional(),
    bufsize: z.string().regex(/^\d+[kM]?$/).optional(),
    x264Preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']),
    profile: z.enum(['baseline', 'main', 'high']),
    fps: z.number().positive().optional(),
    gopSeconds: z.number().positive(),
  }),
  audio: z.object({
    codec: z.literal('aac'),
    bitrate: z.string().regex(/^\d+[kM]?$/),
    channels: z.number().int().min(1).max(2),
    sampleRate: z.number().int().positive(),
  }),
  container: z.literal('mp4'),
});
export type EncodePreset = z.infer<typeof encodePresetSchema>;

export const analysisPresetSchema = z.object({
  name: z.string().min(1),
  description: text,
  noiseFloorPercentile: z.number().min(0).max(100),
  silenceAboveFloorDb: z.number(),
  silenceMinDb: z.number(),
  silenceMaxDb: z.number(),
  silenceMinSeconds: z.number().positive(),
  longPauseSeconds: z.number().positive(),
  quietLufs: z.number(),
  /** A stretch under quietLufs counts as "too quiet" once it lasts this long. */
  quietMinSeconds: z.number().positive().default(5),
  sceneThreshold: z.number().min(0).max(1),
  curveStepSeconds: z.number().positive(),
});
export type AnalysisPreset = z.infer<typeof analysisPresetSchema>;

export type PresetKind = 'encode' | 'analysis';
export interface PresetEntry {
  readonly kind: PresetKind;
  readonly name: string;
  readonly origin: 'builtin' | 'user';
  readonly path: string;
  readonly preset: EncodePreset | AnalysisPreset;
}

const schemas = { encode: encodePresetSchema, analysis: analysisPresetSchema } as const;

async function loadDir(dir: string, kind: PresetKind, origin: 'builtin' | 'user'): Promise<PresetEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: PresetEntry[] = [];
  for (const n of names) {
    const path = join(dir, n);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new UsageError('PRESET_INVALID', { path, detail: (err as Error).message });
    }
    const r = schemas[kind].safeParse(parsed);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new UsageError('PRESET_INVALID', { path, detail: `${issue?.path.join('.') || basename(n)}: ${issue?.message}` });
    }
    out.push({ kind, name: r.data.name, origin, path, preset: r.data });
  }
  return out;
}

/** Every preset, user ones replacing built-in ones of the same kind and name. */
export async function listPresets(dataDir: string): Promise<PresetEntry[]> {
  const byKey = new Map<string, PresetEntry>();
  for (const kind of ['encode', 'analysis'] as const) {
    const builtin = await loadDir(join(packageRoot(), 'presets', kind), kind, 'builtin');
    const user = await loadDir(join(dataDir, 'presets', kind), kind, 'user');
    for (const e of [...builtin, ...user]) byKey.set(`${kind}:${e.name}`, e);
  }
  return [...byKey.values()];
}

export async function findPreset(dataDir: string, name: string): Promise<PresetEntry> {
  const all = await listPresets(dataDir);
  const hit = all.find((e) => e.name === name);
  if (!hit) throw new UsageError('PRESET_UNKNOWN', { name, names: all.map((e) => e.name).join(', ') });
  return hit;
}

export async function encodePreset(dataDir: string, name: string): Promise<EncodePreset> {
  const all = (await listPresets(dataDir)).filter((e) => e.kind === 'encode');
  const hit = all.find((e) => e.name === name);
  if (!hit) throw new UsageError('PRESET_UNKNOWN', { name, names: all.map((e) => e.name).join(', ') });
  return hit.preset as EncodePreset;
}

export async function analysisPreset(dataDir: string, name = 'default'): Promise<AnalysisPreset> {
  const all = (await listPresets(dataDir)).filter((e) => e.kind === 'analysis');
  const hit = all.find((e) => e.name === name);
  if (!hit) throw new UsageError('PRESET_UNKNOWN', { name, names: all.map((e) => e.name).join(', ') });
  return hit.preset as AnalysisPreset;
}

export const DEFAULT_ENCODE_PRESET = 'study-540p';

/** ffmpeg output arguments for a preset (video + audio). */
export function presetArgs(p: EncodePreset, sourceFps: number, hasAudio: boolean): string[] {
  const v = p.video;
  const fps = v.fps ?? sourceFps;
  const filters = [v.height ? `scale=-2:'min(${v.height},ih)'` : '', v.fps ? `fps=${v.fps}` : ''].filter(Boolean);
  const args = ['-c:v', 'libx264', '-preset', v.x264Preset, '-profile:v', v.profile, '-pix_fmt', 'yuv420p', '-crf', String(v.crf)];
  if (v.maxrate) args.push('-maxrate', v.maxrate, '-bufsize', v.bufsize ?? v.maxrate);
  args.push('-g', String(Math.max(1, Math.round(fps * v.gopSeconds))));
  if (filters.length) args.push('-vf', filters.join(','));
  if (hasAudio) args.push('-c:a', 'aac', '-b:a', p.audio.bitrate, '-ac', String(p.audio.channels), '-ar', String(p.audio.sampleRate));
  return args;
}
