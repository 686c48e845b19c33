// `clip` and `analyze` take a recording of the library by its id (or a unique prefix, as `library list` shows
// it) as well as a file: the id names `<data-dir>/recordings/<id>/program.webm`, offline, no relay needed.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

export function resolveMediaInput(dataDir: string, ref: string): string {
  const asFile = resolve(ref);
  if (existsSync(asFile) || !/^[0-9a-f-]{4,36}$/.test(ref)) return asFile;
  const folder = join(dataDir, 'recordings');
  const ids = existsSync(folder) ? readdirSync(folder).filter((id) => id.startsWith(ref)) : [];
  if (ids.length > 1) throw new UsageError('USAGE', { detail: `${ids.length} recordings start with ${ref}` });
  return ids.length === 1 ? join(folder, ids[0]!, 'program.webm') : asFile;
}
