// The library part of the admin API (admin token): `/api/recordings` — list (filters), show, edit the
// catalogue fields, approve / reject (with a reason) / publish, repair; `show` includes the discussion during the
// recording, each message at its offset in the file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { RefusedError } from '../core/errors.js';
import type { ChatLog } from '../store/chat-log.js';
import type { Recording, RecordingCatalogue } from '../store/recording-catalogue.js';
import { sendJson } from './http-errors.js';
import type { Recordings } from './recordings.js';
import { parseBody } from './json-body.js';

const edit = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  teacher: z.string().trim().max(64).optional(),
  subject: z.string().trim().max(64).optional(),
  grade: z.string().trim().max(32).optional(),
});
const reject = z.object({ reason: z.string().trim().min(1).max(500) });

export interface RecordingsApiDeps {
  readonly catalogue: RecordingCatalogue;
  readonly recordings: Recordings;
  readonly readJson: (req: IncomingMessage) => Promise<unknown>;
  readonly chat: ChatLog;
  /** The player link of a recording (`/play/<id>?t=…`). */
  readonly link: (id: string) => string;
}

/** The session's discussion during a recording, each message with its offset (seconds) in the recording. */
async function chatDuring(chat: ChatLog, r: Recording): Promise<{ offset: number; from: string; venue: string; text: string; at: string }[]> {
  const start = Date.parse(r.startedAt);
  const end = r.endedAt ? Date.parse(r.endedAt) : Infinity;
  return (await chat.all(r.sessionId))
    .filter((m) => Date.parse(m.at) >= start && Date.parse(m.at) <= end)
    .map((m) => ({ offset: Math.round((Date.parse(m.at) - start) / 100) / 10, from: m.from, venue: m.venue, text: m.text, at: m.at }));
}

/** Recordings matching the query's teacher, subject, state and date range (from/to: YYYY-MM-DD, inclusive). */
export function filterRecordings(all: readonly Recording[], q: URLSearchParams): Recording[] {
  const from = q.get('from');
  const to = q.get('to');
  return all.filter((r) =>
    (!q.get('teacher') || r.teacher === q.get('teacher')) &&
    (!q.get('subject') || r.subject === q.get('subject')) &&
    (!q.get('state') || r.state === q.get('state')) &&
    (!from || r.startedAt.slice(0, 10) >= from) &&
    (!to || r.startedAt.slice(0, 10) <= to));
}

/** Handle `/api/recordings…` (the caller has checked the admin token); false when the path is not one. */
export async function handleRecordingsApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: RecordingsApiDeps): Promise<boolean> {
  const path = url.pathname;
  if (path === '/api/recordings' && req.method === 'GET') {
    sendJson(res, 200, { recordings: filterRecordings(deps.catalogue.all(), url.searchParams) });
    return true;
  }
  const m = /^\/api\/recordings\/([0-9a-f-]{36})(?:\/(approve|reject|publish|repair))?$/.exec(path);
  if (!m) return false;
  const id = m[1]!;
  if (!deps.catalogue.get(id)) throw new RefusedError('RECORDING_UNKNOWN', { id });
  const action = m[2];
  if (!action && req.method === 'GET') {
    const r = deps.catalogue.get(id)!;
    sendJson(res, 200, { ...r, link: deps.link(id), chat: await chatDuring(deps.chat, r) });
    return true;
  }
  if (!action && req.method === 'PATCH') {
    const change = parseBody(edit, await deps.readJson(req));
    sendJson(res, 200, await deps.catalogue.update(id, (r) => Object.assign(r, change)));
    return true;
  }
  if (action && req.method === 'POST') {
    if (action === 'repair') {
      await deps.recordings.repair(id);
      sendJson(res, 200, deps.catalogue.get(id));
    } else if (action === 'reject') {
      const { reason } = parseBody(reject, await deps.readJson(req));
      sendJson(res, 200, await deps.catalogue.transition(id, 'rejected', 'admin', reason));
    } else {
      sendJson(res, 200, await deps.catalogue.transition(id, action === 'approve' ? 'approved' : 'published', 'admin'));
    }
    return true;
  }
  return false;
}
