// The clip catalogue as the record of finished clips: tags for `jiaoyan clips`, and resume for batches.
import { stat } from 'node:fs/promises';
import type { BatchLedger } from '../media/batch.js';
import type { ClipMode, ClipResult } from '../media/clip.js';
import { ClipCatalogue, workKey, type ClipRecord, type ClipTags } from '../store/clip-catalogue.js';

/** One clip's identity: what it was cut from (file size and mtime at the time), which range, where to. */
export interface ClipWork {
  readonly input: string;
  readonly inputSize: number;
  readonly inputMtimeMs: number;
  readonly from: number;
  readonly to: number;
  readonly output: string;
  readonly tags: ClipTags;
}

/** Resume and tags through the clip catalogue: a row is done when its work key is catalogued and the file is intact. */
export class CatalogueLedger implements BatchLedger {
  readonly #catalogue: ClipCatalogue;
  readonly #mode: ClipMode;
  readonly #preset: string | undefined;

  constructor(catalogue: ClipCatalogue, mode: ClipMode, presetName: string) {
    this.#catalogue = catalogue;
    this.#mode = mode;
    this.#preset = mode === 'encode' ? presetName : undefined; // the preset only shapes encode-mode output
  }

  key(job: ClipWork): string {
    return workKey({
      input: job.input, inputSize: job.inputSize, inputMtimeMs: job.inputMtimeMs, from: job.from, to: job.to,
      mode: this.#mode, ...(this.#preset ? { preset: this.#preset } : {}), output: job.output,
    });
  }

  async isDone(job: ClipWork): Promise<boolean> {
    const record = await this.#catalogue.findByKey(this.key(job));
    if (!record) return false;
    try {
      return (await stat(job.output)).size === record.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // catalogued, then deleted: make it again
      throw err;
    }
  }

  async record(job: ClipWork, result: ClipResult): Promise<void> {
    const { size } = await stat(result.output);
    const entry: Omit<ClipRecord, 'id' | 'createdAt'> = {
      key: this.key(job), input: job.input, output: result.output, mode: this.#mode,
      ...(this.#preset ? { preset: this.#preset } : {}),
      requested: result.requested, actual: result.actual, duration: result.duration, frames: result.frames, size,
      tags: { ...job.tags },
    };
    await this.#catalogue.add(entry);
  }
}
