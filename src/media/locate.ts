// Find ffmpeg and ffprobe: FFMPEG_PATH/FFPROBE_PATH, ffmpeg-static, the @ffmpeg-installer binaries, then PATH.
import { accessSync, constants, chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../core/errors.js';
import { t } from '../core/i18n.js';

export type ToolName = 'ffmpeg' | 'ffprobe';
export type ToolSource = 'env' | 'ffmpeg-static' | 'bundled' | 'PATH';
export interface ToolLocation {
  readonly path: string;
  readonly source: ToolSource;
}

const require = createRequire(import.meta.url);
const cache = new Map<ToolName, ToolLocation>();

function executable(path: string | null | undefined): path is string {
  if (!path) return false;
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // npm may skip the packages' own `chmod u+x` install script: make an owned binary executable once.
    try {
      chmodSync(path, 0o755);
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
}

function fromPackage(pkg: string, field: 'path' | 'default'): string | undefined {
  try {
    const mod: unknown = require(pkg);
    if (typeof mod === 'string') return mod;
    if (mod && typeof mod === 'object') {
      const v = (mod as Record<string, unknown>)[field];
      if (typeof v === 'string') return v;
    }
  } catch {
    return undefined; // package not installed (optional): try the next source
  }
  return undefined;
}

function fromPath(name: ToolName, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** All candidate locations in resolution order (for `doctor`). */
export function candidates(name: ToolName, env: NodeJS.ProcessEnv = process.env): ToolLocation[] {
  const out: ToolLocation[] = [];
  const envPath = name === 'ffmpeg' ? env.FFMPEG_PATH : env.FFPROBE_PATH;
  if (envPath) out.push({ path: envPath, source: 'env' });
  const stat = name === 'ffmpeg' ? fromPackage('ffmpeg-static', 'default') : undefined;
  if (stat) out.push({ path: stat, source: 'ffmpeg-static' });
  const bundled =
    name === 'ffmpeg'
      ? fromPackage('@ffmpeg-installer/ffmpeg', 'path')
      : fromPackage('@ffprobe-installer/ffprobe', 'path');
  if (bundled) out.push({ path: bundled, source: 'bundled' });
  const onPath = fromPath(name, env);
  if (onPath) out.push({ path: onPath, source: 'PATH' });
  return out;
}

/** Resolve a tool or throw EnvironmentError (exit 3) with the fix. An explicit env path must work. */
export function locate(name: ToolName, env: NodeJS.ProcessEnv = process.env): ToolLocation {
  const hit = cache.get(name);
  if (hit && env === process.env) return hit;
  const list = candidates(name, env);
  const explicit = list.find((c) => c.source === 'env');
  if (explicit && !executable(explicit.path)) {
    throw new EnvironmentError('TOOL_ENV_BAD', { tool: name, path: explicit.path, variable: name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH' }, { hint: t('TOOL_FIX') });
  }
  const found = list.find((c) => executable(c.path));
  if (!found) throw new EnvironmentError('TOOL_MISSING', { tool: name }, { hint: t('TOOL_FIX') });
  if (env === process.env) cache.set(name, found);
  return found;
}
