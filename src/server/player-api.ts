// What the player page sends back, under the same credential as the page (`?t=` or `?a=`):
//   POST /play/<id>/progress?a=…  {ranges:[[s,e],…]}  what a teacher with a personal link actually watched
//   GET  /play/<id>/notes?…                            the recording's notes (a personal link: that person's own)
//   POST /play/<id>/notes?…       {at,tag,text}         a self-review note at a moment, by the assignee or "link"
// Bodies are validated with zod; each credential is limited in how often it may write.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { RefusedError, UsageError } from '../core/errors.js';
import type { AssignmentStore } from '../store/assignment-store.js';
import { NOTE_TAGS, type NoteStore } from '../store/note-store.js';
import type { Recording } from '../store/recording-catalogue.js';
import { totalLength } from '../store/watched-ranges.js';
import { sendJson } from './http-errors.js';
import { accessAuthor, accessKey, type PlayAccess } from './play-access.js';
import { FailureLimiter } from './rate-limit.js';
import { parseBody, readJson } from './json-body.js';

const MAX_BODY = 16 * 1024;
/** Longest lesson a time may point into (seconds): 24 h. */
const MAX_SECONDS = 86_400;
/** A note's moment may lie this far past the catalogued duration (the browser's duration differs slightly). */
const AT_TOLERANCE = 1;

const seconds = z.number().min(0).max(MAX_SECONDS);
const progressBody = z.object({ ranges: z.array(z.tuple([seconds, seconds])).max(200) }).strict();
const noteBody = (duration: number) => z.object({
  at: z.number().min(0).max(duration + AT_TOLERANCE),
  tag: z.enum(NOTE_TAGS),
  text: z.string().trim().min(1).max(500),
}).strict();

export type PlayerAction = 'progress' | 'notes';

export interface PlayerApiDeps {
  readonly assignments: AssignmentStore;
  readonly notes: NoteStore;
}

export class PlayerApi {
  readonly #deps: PlayerApiDeps;
  /** Notes written per credential: 30 a minute. */
  readonly #notePosts = new FailureLimiter({ max: 30, windowMs: 60_000 });
  /** Progress reports per credential: 60 a minute (the page sends one every few seconds). */
  readonly #reports = new FailureLimiter({ max: 60, windowMs: 60_000 });

  constructor(deps: PlayerApiDeps) {
    this.#deps = deps;
  }

  async handle(req: IncomingMessage, res: ServerResponse, action: PlayerAction, rec: Recording, access: PlayAccess): Promise<void> {
    const method = req.method ?? 'GET';
    if (action === 'progress' && method === 'POST') return this.#progress(req, res, rec, access);
    if (action === 'notes' && (method === 'GET' || method === 'HEAD')) return this.#listNotes(res, rec, access);
    if (action === 'notes' && method === 'POST') return this.#addNote(req, res, rec, access);
    throw new UsageError('METHOD_NOT_ALLOWED', { method });
  }

  async #progress(req: IncomingMessage, res: ServerResponse, rec: Recording, access: PlayAccess): Promise<void> {
    if (access.kind !== 'personal') throw new RefusedError('LINK_INVALID');
    this.#take(this.#reports, access);
    const { ranges } = parseBody(progressBody, await readJson(req, MAX_BODY));
    const duration = rec.duration ?? 0;
    const { assignee, added } = await this.#deps.assignments.report(access.assignment.id, access.assignee.tokenHash, ranges, duration);
    const watched = totalLength(assignee.watched);
    sendJson(res, 200, {
      added, watchedSeconds: watched, percent: duration > 0 ? Math.min(100, Math.round((watched / duration) * 1000) / 10) : 0,
      finished: !!assignee.finishedAt,
    });
  }

  async #listNotes(res: ServerResponse, rec: Recording, access: PlayAccess): Promise<void> {
    const all = await this.#deps.notes.list(rec.id);
    const mine = access.kind === 'personal' ? all.filter((n) => n.by === access.assignee.name) : all;
    sendJson(res, 200, { notes: mine.map(({ id, at, tag, text, by, createdAt }) => ({ id, at, tag, text, by: by ?? null, createdAt })) });
  }

  async #addNote(req: IncomingMessage, res: ServerResponse, rec: Recording, access: PlayAccess): Promise<void> {
    this.#take(this.#notePosts, access);
    const duration = rec.duration ?? MAX_SECONDS;
    const body = parseBody(noteBody(duration), await readJson(req, MAX_BODY));
    const [note] = await this.#deps.notes.add([{ recording: rec.id, at: Math.min(body.at, duration), tag: body.tag, text: body.text, by: accessAuthor(access) }]);
    sendJson(res, 201, note);
  }

  /** Count one write of this credential, refusing it over the limit. */
  #take(limiter: FailureLimiter, access: PlayAccess): void {
    const key = accessKey(access);
    const check = limiter.check(key);
    if (!check.allowed) throw new RefusedError('PLAYER_RATE_LIMITED', { seconds: check.retryAfterSeconds });
    limiter.fail(key);
  }
}
