// Sessions and their invite codes, persisted by the relay process (lowdb): codes keep working after a restart.
import { join } from 'node:path';
import { JsonStore } from './json-store.js';

export interface StoredSession {
  id: string;
  /** 9 digits. */
  code: string;
  title: string;
  kind: string;
  seats: number;
  venues: string[];
  record: boolean;
  /** Viewers may take a free seat themselves (from the session kind); else the host grants seats. */
  selfSeat?: boolean;
  /** The rundown's current step (index into venues), once the host has stepped it. */
  step?: number | null;
  /** sha256 of the host key: the key itself is shown once, at creation. */
  hostKeyHash: string;
  createdAt: string;
  endedAt?: string;
}

interface Data {
  version: 1;
  sessions: StoredSession[];
}

export class SessionStore {
  readonly #store: JsonStore<Data>;
  #cache: StoredSession[] = [];

  constructor(dataDir: string) {
    this.#store = new JsonStore<Data>(join(dataDir, 'sessions.json'), { version: 1, sessions: [] });
  }

  /** Load from disk (the relay owns the file; reads after this come from memory). */
  async load(): Promise<void> {
    this.#cache = structuredClone((await this.#store.read()).sessions);
  }

  all(): readonly StoredSession[] {
    return this.#cache;
  }

  byCode(code: string): StoredSession | undefined {
    return this.#cache.find((s) => s.code === code);
  }

  /** By id or by code (with or without dashes). */
  find(ref: string): StoredSession | undefined {
    const digits = ref.replace(/-/g, '');
    return this.#cache.find((s) => s.id === ref || s.code === digits);
  }

  codeInUse(code: string): boolean {
    return this.#cache.some((s) => s.code === code && !s.endedAt);
  }

  async add(session: StoredSession): Promise<void> {
    await this.#store.update((d) => void d.sessions.push(session));
    this.#cache.push(structuredClone(session));
  }

  async setStep(id: string, step: number): Promise<void> {
    await this.#store.update((d) => {
      const s = d.sessions.find((x) => x.id === id);
      if (s) s.step = step;
    });
    const s = this.#cache.find((x) => x.id === id);
    if (s) s.step = step;
  }

  async end(id: string, at = new Date().toISOString()): Promise<StoredSession | undefined> {
    await this.#store.update((d) => {
      const s = d.sessions.find((x) => x.id === id);
      if (s && !s.endedAt) s.endedAt = at;
    });
    const s = this.#cache.find((x) => x.id === id);
    if (s && !s.endedAt) s.endedAt = at;
    return s;
  }
}
