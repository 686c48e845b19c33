// The catalogue of clips made: every clip with its tags, so one phase can be listed across teachers.
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JsonStore } from './json-store.js';

export interface ClipTags {
  teacher?: string;
  phase?: string;
  subject?: string;
  title?: string;
}

export interface ClipRecord {
  id: string;
  /** Identity of the work: same input file, range, mode and preset → same key (used to resume batches). */
  key: string;
  input: string;
  output: string;
  mode: string;
  preset?: string;
  requested: { from: number; to: number };
  actual: { from: number; to: number };
  duration: number;
  frames: number;
  size: number;
  tags: ClipTags;
  createdAt: string;
}

export interface ClipFilter {
  teacher?: string;
  phase?: string;
  subject?: string;
}

interface Data {
  version: 1;
  clips: ClipRecord[];
}

export interface WorkIdentity {
  input: string;
  inputSize: number;
  inputMtimeMs: number;
  from: number;
  to: number;
  mode: string;
  preset?: string;
  output: string;
}

export function workKey(w: WorkIdentity): string {
  const parts = [w.input, w.inputSize, Math.round(w.inputMtimeMs), w.from, w.to, w.mode, w.preset ?? '', w.output];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export class ClipCatalogue {
  readonly #store: JsonStore<Data>;

  constructor(dataDir: string) {
    this.#store = new JsonStore<Data>(join(dataDir, 'clips.json'), { version: 1, clips: [] });
  }

  /** Add a clip; a clip with the same output path replaces the older entry. */
  async add(record: Omit<ClipRecord, 'id' | 'createdAt'>): Promise<ClipRecord> {
    const full: ClipRecord = { ...record, id: randomUUID(), createdAt: new Date().toISOString() };
    await this.#store.update((d) => {
      d.clips = d.clips.filter((c) => c.output !== full.output);
      d.clips.push(full);
    });
    return full;
  }

  async list(filter: ClipFilter = {}): Promise<ClipRecord[]> {
    const { clips } = await this.#store.read();
    return clips.filter(
      (c) =>
        (!filter.teacher || c.tags.teacher === filter.teacher) &&
        (!filter.phase || c.tags.phase === filter.phase) &&
        (!filter.subject || c.tags.subject === filter.subject),
    );
  }

  async findByKey(key: string): Promise<ClipRecord | undefined> {
    const { clips } = await this.#store.read();
    return clips.find((c) => c.key === key);
  }
}
