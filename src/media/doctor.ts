// What `jiaoyan doctor` checks: Node, ffmpeg/ffprobe (path, version, source), encoders and filters, a CJK font.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeError } from '../core/errors.js';
import { detectFeatures } from './features.js';
import { findCjkFont } from './fonts.js';
import { locate, type ToolName, type ToolSource } from './locate.js';

const execFileP = promisify(execFile);

export const REQUIRED_ENCODERS = ['libx264', 'aac'] as const;
export const OPTIONAL_ENCODERS = ['libopus', 'libvpx'] as const;
export const REQUIRED_FILTERS = ['ebur128', 'silencedetect', 'hstack', 'scale'] as const;
export const OPTIONAL_FILTERS = ['drawtext', 'xstack', 'tpad', 'scdet', 'select', 'ametadata', 'join', 'amerge'] as const;

export interface ToolReport {
  readonly ok: boolean;
  readonly path?: string;
  readonly source?: ToolSource;
  readonly version?: string;
  readonly error?: string;
  readonly fix?: string;
}

export interface MediaReport {
  readonly ffmpeg: ToolReport;
  readonly ffprobe: ToolReport;
  readonly encoders: Record<string, boolean>;
  readonly filters: Record<string, boolean>;
  readonly font: { readonly ok: boolean; readonly path?: string; readonly family?: string };
}

async function checkTool(name: ToolName): Promise<ToolReport> {
  try {
    const loc = locate(name);
    const { stdout } = await execFileP(loc.path, ['-hide_banner', '-version'], { timeout: 15_000 });
    const version = new RegExp(`${name} version (\\S+)`).exec(stdout)?.[1] ?? 'unknown';
    return { ok: true, path: loc.path, source: loc.source, version };
  } catch (err) {
    const d = describeError(err);
    return { ok: false, error: d.message, ...(d.hint ? { fix: d.hint } : {}) };
  }
}

export async function checkMedia(): Promise<MediaReport> {
  const [ffmpeg, ffprobe, font] = await Promise.all([checkTool('ffmpeg'), checkTool('ffprobe'), findCjkFont()]);
  const encoders: Record<string, boolean> = {};
  const filters: Record<string, boolean> = {};
  if (ffmpeg.ok) {
    const f = await detectFeatures();
    for (const e of [...REQUIRED_ENCODERS, ...OPTIONAL_ENCODERS]) encoders[e] = f.encoders.has(e);
    for (const x of [...REQUIRED_FILTERS, ...OPTIONAL_FILTERS]) filters[x] = f.filters.has(x);
  }
  return {
    ffmpeg, ffprobe, encoders, filters,
    font: font ? { ok: true, path: font.path, ...(font.family ? { family: font.family } : {}) } : { ok: false },
  };
}
