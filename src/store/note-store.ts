// Self-review notes on recordings ("遗憾分析"): a moment of a lesson, a category and what to rework. Kept in
// `<data-dir>/notes.json` (lowdb, lock file: several commands may write at once).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { JsonStore } from './json-store.js';

export const NOTE_TAGS = ['posture', 'voice', 'pace', 'courseware', 'other'] as const;
export type NoteTag = (typeof NOTE_TAGS)[number];

export interface Note {
  /** Short id (8 hex digits), for `clip --from-note`. */
  readonly id: string;
  readonly recording: string;
  /** Seconds into the recording. */
  readonly at: number;
  readonly tag: NoteTag;
  readonly text: string;
  readonly createdAt: string;
  /** Proposed by `analyze --suggest-notes`, not written by a person. */
  readonly suggested?: boolean;
  /** Written in the web player: the assignee's name for a personal link, else "link". */
  readonly by?: string;
}

interface Data {
  version: 1;
  notes: Note[];
}

export class NoteStore {
  readonly #store: JsonStore<Data>;

  constructor(dataDir: string) {
    this.#store = new JsonStore<Data>(join(dataDir, 'notes.json'), { version: 1, notes: [] });
  }

  async add(notes: readonly Omit<Note, 'id' | 'createdAt'>[]): Promise<Note[]> {
    const made = notes.map((n) => ({ ...n, id: randomBytes(4).toString('hex'), createdAt: new Date().toISOString() }));
    await this.#store.update((d) => void d.notes.push(...made));
    return made;
  }

  /** Notes of one recording (or all), in the order of the lesson. */
  async list(recording?: string): Promise<Note[]> {
    const { notes } = await this.#store.read();
    return notes.filter((n) => !recording || n.recording === recording).sort((a, b) => a.recording.localeCompare(b.recording) || a.at - b.at);
  }

  async get(id: string): Promise<Note | undefined> {
    return (await this.#store.read()).notes.find((n) => n.id === id);
  }
}
