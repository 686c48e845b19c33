// Voice notices of sessions: `<data-dir>/notices/<sessionId>/<id>.<ogg|webm>` and one catalogue per session
// (`notices.json`: JsonStore — lock file, atomic writes, mode 0600). Session ids and notice ids are checked before
// any path is built from them, so nothing reaches outside the session's folder.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RefusedError } from '../core/errors.js';
import { tempPathFor } from '../core/fs.js';
import { JsonStore } from './json-store.js';

/** A notice id: 16 hex digits. */
export const NOTICE_ID = /^[0-9a-f]{16}$/;
/** Session ids are UUIDs; anything path-safe of that size is accepted. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Most notices one session keeps (NOTICE_LIMIT): 100 × 2 MiB at worst. */
export const MAX_NOTICES_PER_SESSION = 100;

export type NoticeMime = 'audio/ogg' | 'audio/webm';

export interface Notice {
  readonly id: string;
  /** Who recorded it (participant name) and their venue. */
  readonly by: string;
  readonly venue: string;
  /** When it was added, ISO 8601. */
  readonly at: string;
  readonly seconds: number;
  readonly bytes: number;
  readonly mime: NoticeMime;
}

interface Data {
  version: 1;
  notices: Notice[];
}

const EXT: Record<NoticeMime, string> = { 'audio/ogg': 'ogg', 'audio/webm': 'webm' };

export class NoticeStore {
  readonly dir: string;
  readonly #catalogues = new Map<string, JsonStore<Data>>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'notices');
  }

  /** The folder of a session's notices; refused (as unknown) for an id that is not path-safe. */
  folderOf(sessionId: string): string {
    if (!SESSION_ID.test(sessionId)) throw new RefusedError('NOTICE_UNKNOWN', { id: '' });
    return join(this.dir, sessionId);
  }

  #catalogue(sessionId: string): JsonStore<Data> {
    let c = this.#catalogues.get(sessionId);
    if (!c) {
      c = new JsonStore<Data>(join(this.folderOf(sessionId), 'notices.json'), { version: 1, notices: [] });
      this.#catalogues.set(sessionId, c);
    }
    return c;
  }

  /** A session's notices, oldest first. */
  async list(sessionId: string): Promise<Notice[]> {
    return [...(await this.#catalogue(sessionId).read()).notices];
  }

  /** Refused with NOTICE_LIMIT when the session cannot take another notice. */
  async assertRoom(sessionId: string): Promise<void> {
    if ((await this.list(sessionId)).length >= MAX_NOTICES_PER_SESSION) throw new RefusedError('NOTICE_LIMIT', { max: MAX_NOTICES_PER_SESSION });
  }

  /** A fresh temp path in the session's folder (created 0700) for an upload on its way in. */
  async tempPath(sessionId: string, ext = ''): Promise<string> {
    const folder = this.folderOf(sessionId);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    return tempPathFor(join(folder, 'notice'), ext);
  }

  /**
   * File a prepared audio file (a temp path in the session's folder) as a new notice: moved into place as
   * `<id>.<ext>` (mode 0600), then listed. Nothing stays behind when listing fails.
   */
  async add(sessionId: string, file: string, fields: Omit<Notice, 'id' | 'at'>): Promise<Notice> {
    const notice: Notice = { id: randomBytes(8).toString('hex'), at: new Date().toISOString(), ...fields };
    const path = this.#pathOf(sessionId, notice);
    await chmod(file, 0o600);
    await rename(file, path);
    try {
      await this.#catalogue(sessionId).update((d) => {
        if (d.notices.length >= MAX_NOTICES_PER_SESSION) throw new RefusedError('NOTICE_LIMIT', { max: MAX_NOTICES_PER_SESSION });
        d.notices.push(notice);
      });
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return notice;
  }

  /** A notice and its file, or undefined (also for an id that is not a notice id). */
  async get(sessionId: string, id: string): Promise<{ notice: Notice; path: string } | undefined> {
    if (!NOTICE_ID.test(id)) return undefined;
    const notice = (await this.list(sessionId)).find((n) => n.id === id);
    return notice ? { notice, path: this.#pathOf(sessionId, notice) } : undefined;
  }

  #pathOf(sessionId: string, n: Notice): string {
    if (!NOTICE_ID.test(n.id)) throw new RefusedError('NOTICE_UNKNOWN', { id: n.id });
    return join(this.folderOf(sessionId), `${n.id}.${EXT[n.mime]}`);
  }
}
