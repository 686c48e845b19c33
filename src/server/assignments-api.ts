// The watch-assignment part of the admin API (admin token): `POST /api/assignments` gives a recording to named
// teachers by a due date and answers each one's personal player link (shown only here: the relay keeps hashes);
// `GET /api/assignments[?recording=]` and `GET /api/assignments/<id>` show who watched how much, who finished on
// time, late, or not at all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { RefusedError } from '../core/errors.js';
import type { Assignee, Assignment, AssignmentStore } from '../store/assignment-store.js';
import type { RecordingCatalogue } from '../store/recording-catalogue.js';
import { totalLength } from '../store/watched-ranges.js';
import { sendJson } from './http-errors.js';
import { parseBody } from './json-body.js';

const createBody = z.object({
  recording: z.string().regex(/^[0-9a-f-]{36}$/),
  to: z.array(z.string().trim().min(1).max(64)).min(1).max(200),
  due: z.string().max(64).refine((s) => Number.isFinite(Date.parse(s)), 'not a date'),
  by: z.string().trim().min(1).max(64).optional(),
});

export interface AssignmentsApiDeps {
  readonly catalogue: RecordingCatalogue;
  readonly assignments: AssignmentStore;
  readonly readJson: (req: IncomingMessage) => Promise<unknown>;
  /** The relay's public base URL (for the personal links). */
  readonly baseUrl: () => string;
}

export type PersonState = 'on-time' | 'late' | 'overdue' | 'watching' | 'not-started';

/** One person's progress: watched share of the recording, finished (when), on time or late, overdue. */
export function personView(p: Assignee, duration: number, due: string, now = Date.now()) {
  const watchedSeconds = totalLength(p.watched);
  const dueMs = Date.parse(due);
  const finishedAt = p.finishedAt ?? null;
  const onTime = finishedAt ? Date.parse(finishedAt) <= dueMs : null;
  const overdue = !finishedAt && now > dueMs;
  const state: PersonState = finishedAt ? (onTime ? 'on-time' : 'late') : overdue ? 'overdue' : watchedSeconds > 0 ? 'watching' : 'not-started';
  return {
    name: p.name, watchedSeconds, percent: duration > 0 ? Math.min(100, Math.round((watchedSeconds / duration) * 1000) / 10) : 0,
    finished: !!finishedAt, finishedAt, onTime, overdue, state, lastReportAt: p.lastReportAt ?? null, watched: p.watched,
  };
}

export function assignmentView(a: Assignment, catalogue: RecordingCatalogue, now = Date.now()) {
  const rec = catalogue.get(a.recordingId);
  const duration = rec?.duration ?? 0;
  const assignees = a.assignees.map((p) => personView(p, duration, a.due, now));
  return {
    id: a.id, recordingId: a.recordingId, title: rec?.title ?? null, duration, due: a.due, createdAt: a.createdAt, createdBy: a.createdBy,
    finished: assignees.filter((p) => p.finished).length, overdue: assignees.filter((p) => p.overdue).length, assignees,
  };
}

/** Handle `/api/assignments…` (the caller has checked the admin token); false when the path is not one. */
export async function handleAssignmentsApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: AssignmentsApiDeps): Promise<boolean> {
  const path = url.pathname;
  if (path === '/api/assignments' && req.method === 'POST') {
    const body = parseBody(createBody, await deps.readJson(req));
    const rec = deps.catalogue.get(body.recording);
    if (!rec) throw new RefusedError('RECORDING_UNKNOWN', { id: body.recording });
    const names = [...new Set(body.to)];
    const { assignment, tokens } = await deps.assignments.create({ recordingId: rec.id, names, due: new Date(Date.parse(body.due)).toISOString(), createdBy: body.by ?? 'admin' });
    const view = assignmentView(assignment, deps.catalogue);
    const link = (name: string) => `${deps.baseUrl()}/play/${rec.id}?a=${encodeURIComponent(tokens.get(name)!)}`;
    sendJson(res, 201, { ...view, assignees: view.assignees.map((p) => ({ ...p, link: link(p.name) })) });
    return true;
  }
  if (path === '/api/assignments' && req.method === 'GET') {
    const recording = url.searchParams.get('recording') ?? undefined;
    sendJson(res, 200, { assignments: deps.assignments.all(recording).map((a) => assignmentView(a, deps.catalogue)) });
    return true;
  }
  const m = /^\/api\/assignments\/([^/]+)$/.exec(path);
  if (!m || req.method !== 'GET') return false;
  const id = m[1]!;
  const a = deps.assignments.get(id);
  if (!a) throw new RefusedError('ASSIGNMENT_UNKNOWN', { id });
  sendJson(res, 200, assignmentView(a, deps.catalogue));
  return true;
}
