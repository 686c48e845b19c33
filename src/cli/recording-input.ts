// `clip` and `analyze` take a recording of the library by its id (or a unique prefix, as `library list` shows
// it) as well as a file: the id names the recording's program — `<data-dir>/recordings/<id>/program.webm`, or
// `program.mkv` when it was H.264 — offline, no relay needed. A program recorded in parts (its main venue moved
// between a VP8 and an H.264 venue) is `<id>` for its first part and `<id>:2`, `<id>:3`… for the next ones.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

const PART = /^program(?:-(\d{1,3}))?\.(webm|mkv|mp4)$/;
const EXTS = ['webm', 'mkv', 'mp4'];

/** The program's files in a recording's folder, in order: `program.*`, then `program-2.*`, `program-3.*`… */
export function programParts(folder: string): string[] {
  const names = existsSync(folder) ? readdirSync(folder).filter((n) => PART.test(n)) : [];
  const key = (n: string) => {
    const [, part, ext] = PART.exec(n)!;
    return Number(part ?? 1) * 10 + EXTS.indexOf(ext!);
  };
  return names.sort((a, b) => key(a) - key(b)).map((n) => join(folder, n));
}

export function resolveMediaInput(dataDir: string, ref: string): string {
  const asFile = resolve(ref);
  const m = /^([0-9a-f-]{4,36})(?::(\d{1,3}))?$/.exec(ref);
  if (existsSync(asFile) || !m) return asFile;
  const [, prefix, part] = m as unknown as [string, string, string | undefined];
  const folder = join(dataDir, 'recordings');
  const ids = existsSync(folder) ? readdirSync(folder).filter((id) => id.startsWith(prefix)) : [];
  if (ids.length > 1) throw new UsageError('USAGE', { detail: `${ids.length} recordings start with ${prefix}` });
  if (ids.length === 0) return asFile;
  const dir = join(folder, ids[0]!);
  const parts = programParts(dir);
  if (!part) return parts[0] ?? join(dir, 'program.webm');
  const found = parts.find((p) => (PART.exec(p.slice(dir.length + 1))![1] ?? '1') === String(Number(part)));
  if (!found) throw new UsageError('USAGE', { detail: `recording ${ids[0]} has no program part ${part} (it has ${parts.length})` });
  return found;
}
