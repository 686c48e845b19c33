// The sending side of `library publish --to`: declare the recording and its files to the county relay, send each
// file in chunks from the offset the county has confirmed (a rerun after a dropped link resumes there; a chunk the
// county saw differently is resynced from its count), then ask it to verify the SHA-256s and publish.
import { open } from 'node:fs/promises';
import { AbortedError, EnvironmentError, JiaoyanError, RefusedError, RuntimeError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import { answerError, relayExchange, type RelayAnswer, type RelayBody, type RelayTarget } from './relay-target.js';

export interface LocalFile {
  /** Name at the county: program.webm | program.mp4 | seat-N.webm | chat.json. */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface PublishSpec {
  /** The school is the upload token's at the county; it is only read when the admin token is used. */
  readonly origin: { readonly school: string; readonly recordingId: string };
  readonly meta: Record<string, unknown>;
  readonly files: readonly LocalFile[];
}

export interface UploadProgress {
  readonly file: string;
  /** Bytes the county has confirmed. */
  readonly sent: number;
  readonly total: number;
  /** Where this run started on this file (> 0: resumed). */
  readonly resumedFrom: number;
}

export interface UploaderOptions {
  readonly chunkSize: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: UploadProgress) => void;
}

interface Created {
  id: string;
  published: boolean;
  files: { name: string; received: number }[];
}

export interface Published {
  /** The recording's id at the county. */
  readonly id: string;
  readonly recording: Record<string, unknown>;
  /** Some bytes were already there from an earlier run. */
  readonly resumed: boolean;
}

/** A county answer that says "resync": the bytes it has of a file. */
function resyncCount(a: RelayAnswer): number | undefined {
  if (a.status !== 409 || a.json.error?.code !== 'UPLOAD_OFFSET') return undefined;
  const n = Number(a.json.error.params?.received);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export class Uploader {
  readonly #target: RelayTarget;
  readonly #opts: UploaderOptions;

  constructor(target: RelayTarget, opts: UploaderOptions) {
    this.#target = target;
    this.#opts = opts;
  }

  /** Upload everything the county does not have yet and publish it there; a damaged file is sent once more. */
  async publish(spec: PublishSpec): Promise<Published> {
    const wire = { origin: spec.origin, meta: spec.meta, files: spec.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })) };
    let resumed = false;
    for (let attempt = 1; ; attempt++) {
      const created = await this.#json<Created>('POST', '/api/uploads', wire);
      if (!created.published) {
        for (const f of spec.files) {
          const from = created.files.find((x) => x.name === f.name)?.received ?? 0;
          if (from > 0 && attempt === 1) resumed = true;
          await this.#send(created.id, f, from);
        }
      }
      try {
        return { id: created.id, recording: await this.#json<Record<string, unknown>>('POST', `/api/uploads/${created.id}/complete`, {}, 300_000), resumed };
      } catch (err) {
        if (attempt >= 2 || !(err instanceof JiaoyanError && err.code === 'UPLOAD_HASH_MISMATCH')) throw err;
      }
    }
  }

  /** Send `f` from `from` on, chunk by chunk, each confirmed (and synced) by the county before the next. */
  async #send(id: string, f: LocalFile, from: number): Promise<void> {
    const { chunkSize, signal, onProgress } = this.#opts;
    let offset = Math.min(from, f.size);
    onProgress?.({ file: f.name, sent: offset, total: f.size, resumedFrom: offset });
    if (offset >= f.size) return;
    const fh = await open(f.path, 'r');
    try {
      let resyncs = 0;
      while (offset < f.size) {
        if (signal?.aborted) throw new AbortedError();
        const chunk = Buffer.alloc(Math.min(chunkSize, f.size - offset));
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
        if (bytesRead !== chunk.length) throw new RuntimeError('INPUT_UNREADABLE', { path: f.path, detail: 'the file became shorter' });
        const a = await this.#exchange('PUT', `/api/uploads/${id}/files/${f.name}?offset=${offset}`, { data: chunk, type: 'application/octet-stream' }, 120_000);
        const resync = resyncCount(a);
        if (resync !== undefined) {
          if (++resyncs > 3 || resync > f.size) throw new RuntimeError('PUBLISH_STALLED', { file: f.name });
          offset = resync;
          continue;
        }
        if (a.status < 200 || a.status >= 300) throw this.#error(a);
        resyncs = 0;
        offset = Number(a.json.received);
        if (!Number.isSafeInteger(offset)) throw new RuntimeError('PUBLISH_STALLED', { file: f.name });
        onProgress?.({ file: f.name, sent: offset, total: f.size, resumedFrom: from });
      }
    } finally {
      await fh.close();
    }
  }

  async #json<T>(method: string, path: string, body: unknown, timeoutMs?: number): Promise<T> {
    const a = await this.#exchange(method, path, { data: JSON.stringify(body), type: 'application/json' }, timeoutMs);
    if (a.status >= 200 && a.status < 300) return a.json as T;
    throw this.#error(a);
  }

  /** One request; a network failure says the county is unreachable and that a rerun resumes. */
  async #exchange(method: string, path: string, body: RelayBody, timeoutMs?: number): Promise<RelayAnswer> {
    try {
      return await relayExchange(this.#target, method, path, body, { ...(timeoutMs ? { timeoutMs } : {}), ...(this.#opts.signal ? { signal: this.#opts.signal } : {}) });
    } catch (err) {
      if (err instanceof EnvironmentError && err.code === 'RELAY_UNREACHABLE') {
        throw new EnvironmentError('PUBLISH_UNREACHABLE', { url: this.#target.url, detail: String(err.params.detail ?? '') }, { cause: err, hint: t('PUBLISH_RESUME_HINT') });
      }
      throw err;
    }
  }

  #error(a: RelayAnswer): JiaoyanError {
    if (a.status === 401) return new RefusedError('PUBLISH_TOKEN_WRONG', { url: this.#target.url });
    const err = answerError(this.#target, a);
    if (err.code === 'UPLOAD_HASH_MISMATCH' || a.status >= 500) err.hint = t('PUBLISH_RESUME_HINT');
    return err;
  }
}
