// The lesson library's catalogue (lowdb, owned by the relay process): every recording with its files, its review
// state and the history of who changed it when. pending → approved | rejected → published (approved only).
import { join } from 'node:path';
import { RefusedError } from '../core/errors.js';
import { JsonStore } from './json-store.js';

export type RecordingState = 'recording' | 'pending' | 'approved' | 'rejected' | 'published';

export interface RecordingFile {
  /** File name inside the recording's folder. */
  readonly name: string;
  readonly role: 'program' | 'seat';
  /** For a seat: who it was. */
  readonly speaker?: string;
  readonly venue?: string;
  /** ffmpeg writing it (while recording), to stop an orphan after a crash. */
  pid?: number;
  /**
   * Seconds from the recording's start to this file's first media. A program whose main venue moved between a VP8
   * and an H.264 venue is several files (`program.webm`, `program-2.mkv`, …: role 'program', listed first, in order).
   */
  offset?: number;
  duration?: number;
  size?: number;
  /** SHA-256 (hex) of a file a school published here, as verified on arrival. */
  readonly sha256?: string;
}

export interface RecordingEvent {
  readonly state: RecordingState;
  readonly by: string;
  readonly at: string;
  readonly reason?: string;
}

export interface Recording {
  readonly id: string;
  readonly sessionId: string;
  title: string;
  readonly kind: string;
  teacher?: string;
  subject?: string;
  grade?: string;
  readonly startedAt: string;
  endedAt?: string;
  venues: string[];
  files: RecordingFile[];
  /** Seconds of the program (all its parts together). */
  duration?: number;
  /** Bytes of all files. */
  size?: number;
  state: RecordingState;
  history: RecordingEvent[];
  /** Small pictures across the program (file names in the recording's folder). */
  thumbnails?: string[];
  /** Set when it was recovered after a crash. */
  recovered?: boolean;
  /** Set when a school published it here (`library publish --to`): that school and its recording id there. */
  readonly origin?: { readonly school: string; readonly recordingId: string };
}

interface Data {
  version: 1;
  recordings: Recording[];
}

const NEXT: Record<RecordingState, readonly RecordingState[]> = {
  recording: ['pending'],
  pending: ['approved', 'rejected'],
  approved: ['published', 'rejected'],
  rejected: ['approved'],
  published: [],
};

export class RecordingCatalogue {
  readonly dir: string;
  readonly #store: JsonStore<Data>;
  #cache: Recording[] = [];

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'recordings');
    this.#store = new JsonStore<Data>(join(dataDir, 'recordings.json'), { version: 1, recordings: [] });
  }

  async load(): Promise<void> {
    this.#cache = structuredClone((await this.#store.read()).recordings);
  }

  all(): readonly Recording[] {
    return this.#cache;
  }

  get(id: string): Recording | undefined {
    return this.#cache.find((r) => r.id === id);
  }

  folderOf(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RefusedError('RECORDING_UNKNOWN', { id });
    return join(this.dir, id);
  }

  async add(r: Recording): Promise<void> {
    await this.#store.update((d) => void d.recordings.push(structuredClone(r)));
    this.#cache.push(structuredClone(r));
  }

  /** Add a recording another relay published here (files already in its folder); the same id again is a no-op. */
  async addImported(r: Recording & { origin: NonNullable<Recording['origin']> }): Promise<Recording> {
    const known = this.get(r.id);
    if (known) return known;
    await this.#store.update((d) => {
      if (!d.recordings.some((x) => x.id === r.id)) d.recordings.push(structuredClone(r));
    });
    this.#cache.push(structuredClone(r));
    return this.get(r.id)!;
  }

  /** Change a recording's fields (not its state). */
  async update(id: string, change: (r: Recording) => void): Promise<Recording> {
    const r = this.get(id);
    if (!r) throw new RefusedError('RECORDING_UNKNOWN', { id });
    await this.#store.update((d) => {
      const stored = d.recordings.find((x) => x.id === id);
      if (stored) change(stored);
    });
    change(r);
    return r;
  }

  /** Move to `state` (only along pending → approved/rejected → published), recording who and when. */
  async transition(id: string, state: RecordingState, by: string, reason?: string): Promise<Recording> {
    const r = this.get(id);
    if (!r) throw new RefusedError('RECORDING_UNKNOWN', { id });
    if (!NEXT[r.state].includes(state)) throw new RefusedError('RECORDING_STATE', { id, from: r.state, to: state });
    const event: RecordingEvent = { state, by, at: new Date().toISOString(), ...(reason ? { reason } : {}) };
    return this.update(id, (x) => {
      x.state = state;
      x.history.push(event);
    });
  }
}
