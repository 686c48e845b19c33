// Uploads being received (the county side of `library publish --to`): each upload's manifest (which school sends
// which recording, its files with their sizes and SHA-256) in `<data-dir>/uploads.json`, the bytes in
// `<data-dir>/uploads/<id>/<name>.part`. A chunk is appended only where the bytes on disk end, and synced before it
// is confirmed, so a file's length is the confirmed offset a rerun resumes from. On completion every file is
// hashed: a damaged one is discarded (a rerun sends it again), the others take their final names and the folder
// moves into the library in one rename.
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RefusedError, RuntimeError, UsageError } from '../core/errors.js';
import { sha256File } from '../core/hash.js';
import { JsonStore } from './json-store.js';

/** The files an upload may carry: the program, seat files, the discussion. Nothing else reaches the disk. */
export const UPLOAD_FILE = /^(?:program(?:-\d{1,3})?\.(?:webm|mkv|mp4)|seat-\d{1,3}\.(?:webm|mkv)|chat\.json)$/;
/** All files of one upload together. */
export const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;
/** One PUT's body. */
export const MAX_CHUNK_BYTES = 8 * 1024 ** 2;
/** Unfinished uploads of one school at a time (each may hold up to MAX_UPLOAD_BYTES). */
export const MAX_OPEN_UPLOADS = 8;

export interface UploadFileSpec {
  readonly name: string;
  readonly size: number;
  /** Hex. */
  readonly sha256: string;
}

export interface UploadMeta {
  readonly title: string;
  readonly kind?: string;
  readonly teacher?: string;
  readonly subject?: string;
  readonly grade?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly duration?: number;
  readonly venues: readonly string[];
}

export interface UploadManifest {
  readonly id: string;
  readonly school: string;
  /** The recording's id at the school's relay. */
  readonly recordingId: string;
  meta: UploadMeta;
  files: UploadFileSpec[];
  readonly createdAt: string;
}

interface Data {
  version: 1;
  uploads: UploadManifest[];
}

const ID = /^[0-9a-f-]{36}$/;

/** The one id of a school's recording here (upload and library alike): a rerun finds the same upload. */
export function uploadId(school: string, recordingId: string): string {
  const h = createHash('sha256').update(`${school}\u0000${recordingId}`, 'utf8').digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export class UploadStore {
  readonly dir: string;
  readonly #store: JsonStore<Data>;
  /** Work on one upload (appends, completion) runs one piece at a time. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'uploads');
    this.#store = new JsonStore<Data>(join(dataDir, 'uploads.json'), { version: 1, uploads: [] });
  }

  folderOf(id: string): string {
    if (!ID.test(id)) throw new RefusedError('UPLOAD_UNKNOWN', { id });
    return join(this.dir, id);
  }

  async get(id: string): Promise<UploadManifest | undefined> {
    return (await this.#store.read()).uploads.find((u) => u.id === id);
  }

  /**
   * Start an upload, or find the one a rerun left: files declared as before keep their bytes; a file whose size
   * or hash changed (the sender's file changed) starts again from 0.
   */
  async open(school: string, recordingId: string, meta: UploadMeta, files: readonly UploadFileSpec[]): Promise<UploadManifest> {
    const id = uploadId(school, recordingId);
    const folder = this.folderOf(id);
    return this.#exclusive(id, async () => {
      const all = (await this.#store.read()).uploads;
      const before = all.find((u) => u.id === id);
      if (!before && all.filter((u) => u.school === school).length >= MAX_OPEN_UPLOADS) throw new RefusedError('UPLOAD_TOO_MANY', { school, max: MAX_OPEN_UPLOADS });
      const stale = before ? before.files.filter((f) => !files.some((g) => g.name === f.name && g.size === f.size && g.sha256 === f.sha256)) : [];
      for (const f of stale) await this.#discard(id, f.name);
      const manifest: UploadManifest = { id, school, recordingId, meta: { ...meta }, files: files.map((f) => ({ ...f })), createdAt: before?.createdAt ?? new Date().toISOString() };
      await this.#store.update((d) => {
        d.uploads = [...d.uploads.filter((u) => u.id !== id), manifest];
      });
      await mkdir(folder, { recursive: true, mode: 0o700 });
      return manifest;
    });
  }

  /** Bytes of `name` confirmed so far (all of them once it was verified). */
  async received(id: string, name: string): Promise<number> {
    const spec = (await this.get(id))?.files.find((f) => f.name === name);
    if (!spec) return 0;
    const folder = this.folderOf(id);
    const part = await sizeOf(join(folder, `${name}.part`));
    if (part !== undefined) return part;
    return (await sizeOf(join(folder, name))) === spec.size ? spec.size : 0;
  }

  /**
   * Append a chunk at `offset`, which must be where the file's confirmed bytes end (else UPLOAD_OFFSET with the
   * count, so the sender can resync); synced to disk before the new count is returned.
   */
  async append(id: string, name: string, offset: number, chunk: Uint8Array): Promise<number> {
    return this.#exclusive(id, async () => {
      const spec = await this.#spec(id, name);
      const received = await this.received(id, name);
      if (offset !== received) throw new RefusedError('UPLOAD_OFFSET', { file: name, received, offset });
      if (offset + chunk.length > spec.size) throw new UsageError('BAD_REQUEST', { detail: `${name} is declared as ${spec.size} bytes` });
      if (chunk.length === 0) return received;
      const fh = await open(join(this.folderOf(id), `${name}.part`), 'a', 0o600);
      try {
        await fh.write(chunk);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return received + chunk.length;
    });
  }

  /**
   * Verify every file of the upload and move its folder to `target`, then run `publish` there and forget the
   * upload. Incomplete → UPLOAD_INCOMPLETE; a hash that differs → the file is discarded, UPLOAD_HASH_MISMATCH.
   * When `target` already exists an earlier completion got that far and stopped: `publish` runs again.
   */
  async complete<T>(id: string, target: string, publish: (folder: string, m: UploadManifest) => Promise<T>): Promise<T> {
    const folder = this.folderOf(id);
    return this.#exclusive(id, async () => {
      const m = await this.get(id);
      if (!m) throw new RefusedError('UPLOAD_UNKNOWN', { id });
      if ((await sizeOf(target)) === undefined) {
        for (const f of m.files) {
          const received = await this.received(id, f.name);
          if (received !== f.size) throw new RefusedError('UPLOAD_INCOMPLETE', { file: f.name, received, size: f.size });
        }
        for (const f of m.files) {
          const part = join(folder, `${f.name}.part`);
          if ((await sizeOf(part)) === undefined) continue; // verified by an earlier completion
          if ((await sha256File(part)) !== f.sha256) {
            await rm(part, { force: true });
            throw new RuntimeError('UPLOAD_HASH_MISMATCH', { file: f.name });
          }
          await rename(part, join(folder, f.name));
        }
        await mkdir(join(target, '..'), { recursive: true });
        await rename(folder, target);
      }
      const result = await publish(target, m);
      await this.forget(id);
      return result;
    });
  }

  /** Drop an upload: its manifest and whatever bytes it has. */
  async forget(id: string): Promise<void> {
    await this.#store.update((d) => void (d.uploads = d.uploads.filter((u) => u.id !== id)));
    await rm(this.folderOf(id), { recursive: true, force: true });
  }

  async #spec(id: string, name: string): Promise<UploadFileSpec> {
    const m = await this.get(id);
    if (!m) throw new RefusedError('UPLOAD_UNKNOWN', { id });
    const spec = m.files.find((f) => f.name === name);
    if (!spec) throw new RefusedError('NOT_FOUND', { path: name });
    return spec;
  }

  async #discard(id: string, name: string): Promise<void> {
    const folder = this.folderOf(id);
    await rm(join(folder, `${name}.part`), { force: true });
    await rm(join(folder, name), { force: true });
  }

  #exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#locks.get(id) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    this.#locks.set(id, settled);
    void settled.then(() => {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    });
    return run;
  }
}
