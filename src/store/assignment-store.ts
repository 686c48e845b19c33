// Watch assignments ("异时异地" study): a recording given to named teachers by a due date, each with a personal
// link. Only the sha256 of each personal token is kept. Owned by the relay (`<data-dir>/assignments.json`, 0600):
// it records what each person actually watched, as merged [start, end] ranges in seconds.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RefusedError } from '../core/errors.js';
import { hashSecret, randomSecret, sameSecret } from '../core/secrets.js';
import { JsonStore } from './json-store.js';
import { creditReport, isFinished, reportBudget, type Range, type Ranges } from './watched-ranges.js';

export interface Assignee {
  readonly name: string;
  /** sha256 of the personal token (the token itself is shown once, at creation). */
  readonly tokenHash: string;
  watched: Ranges;
  /** When the watched share first reached FINISHED_SHARE. */
  finishedAt?: string;
  lastReportAt?: string;
}

export interface Assignment {
  /** Short id (8 hex digits). */
  readonly id: string;
  readonly recordingId: string;
  /** ISO time. */
  readonly due: string;
  readonly createdAt: string;
  readonly createdBy: string;
  assignees: Assignee[];
}

interface Data {
  version: 1;
  assignments: Assignment[];
}

export interface NewAssignment {
  readonly recordingId: string;
  readonly names: readonly string[];
  readonly due: string;
  readonly createdBy: string;
}

export class AssignmentStore {
  readonly #store: JsonStore<Data>;
  #cache: Assignment[] = [];
  /** When a personal link's page was last served (by token hash): the first report's anchor. Not persisted. */
  readonly #opened = new Map<string, number>();

  constructor(dataDir: string) {
    this.#store = new JsonStore<Data>(join(dataDir, 'assignments.json'), { version: 1, assignments: [] });
  }

  async load(): Promise<void> {
    this.#cache = structuredClone((await this.#store.read()).assignments);
  }

  /** All assignments, or those of one recording, newest first. */
  all(recordingId?: string): readonly Assignment[] {
    return this.#cache.filter((a) => !recordingId || a.recordingId === recordingId).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): Assignment | undefined {
    return this.#cache.find((a) => a.id === id);
  }

  /** Create one; returns it with each person's personal token (never stored). */
  async create(n: NewAssignment): Promise<{ assignment: Assignment; tokens: ReadonlyMap<string, string> }> {
    let id = randomBytes(4).toString('hex');
    while (this.get(id)) id = randomBytes(4).toString('hex');
    const tokens = new Map(n.names.map((name) => [name, randomSecret(24)]));
    const assignment: Assignment = {
      id, recordingId: n.recordingId, due: n.due, createdAt: new Date().toISOString(), createdBy: n.createdBy,
      assignees: [...tokens].map(([name, token]) => ({ name, tokenHash: hashSecret(token), watched: [] })),
    };
    await this.#write((d) => void d.assignments.push(structuredClone(assignment)));
    this.#cache.push(assignment);
    return { assignment, tokens };
  }

  /** The assignment of `recordingId` and the person a personal token belongs to; undefined for any other token. */
  byToken(recordingId: string, token: string): { assignment: Assignment; assignee: Assignee } | undefined {
    if (!token) return undefined;
    const hash = hashSecret(token);
    for (const assignment of this.#cache) {
      if (assignment.recordingId !== recordingId) continue;
      const assignee = assignment.assignees.find((p) => sameSecret(hash, p.tokenHash));
      if (assignee) return { assignment, assignee };
    }
    return undefined;
  }

  /** The person's page was served now: the first report is measured from here. */
  opened(assignee: Assignee, atMs = Date.now()): void {
    this.#opened.set(assignee.tokenHash, atMs);
  }

  /**
   * Count a progress report: new watched seconds are capped by the wall time since the previous report (or the
   * page's opening); finishedAt is set when the person first reaches the finished share.
   */
  async report(assignmentId: string, tokenHash: string, ranges: readonly Range[], duration: number, nowMs = Date.now()): Promise<{ assignee: Assignee; added: number }> {
    const change = (a: Assignment | undefined) => {
      const p = a?.assignees.find((x) => x.tokenHash === tokenHash);
      if (!p) throw new RefusedError('LINK_INVALID');
      const last = p.lastReportAt ? Date.parse(p.lastReportAt) : undefined;
      const opened = this.#opened.get(tokenHash);
      const anchor = last === undefined ? opened : opened === undefined ? last : Math.max(last, opened);
      const { watched, added } = creditReport(p.watched, ranges, duration, reportBudget(nowMs, anchor));
      p.watched = watched;
      p.lastReportAt = new Date(nowMs).toISOString();
      if (!p.finishedAt && isFinished(watched, duration)) p.finishedAt = p.lastReportAt;
      return { assignee: structuredClone(p), added };
    };
    const result = await this.#write((d) => change(d.assignments.find((a) => a.id === assignmentId)));
    const cached = this.get(assignmentId)?.assignees;
    const i = cached?.findIndex((x) => x.tokenHash === tokenHash) ?? -1;
    if (cached && i >= 0) cached[i] = structuredClone(result.assignee);
    return result;
  }

  /** An update under the store's lock; the file stays readable by the relay's user only (tokens' hashes). */
  async #write<R>(change: (d: Data) => R): Promise<R> {
    return this.#store.update(change);
  }
}
