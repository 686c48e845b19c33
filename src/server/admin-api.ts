// The admin HTTP API (`/api/sessions`, `/api/relay`, admin token) and the public invite look-up (`/api/join/<code>`);
// `/api/uploads…` (county uploads, admin or upload token) is routed to uploads-api.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RefusedError } from '../core/errors.js';
import { formatCode } from '../signaling/protocol.js';
import { hashSecret, inviteCode, randomSecret, sameSecret } from '../core/secrets.js';
import type { Relay } from '../relay/relay.js';
import type { SessionStore, StoredSession } from '../store/session-store.js';
import { sendError, sendJson } from './http-errors.js';
import type { SessionKinds } from './session-kinds.js';
import type { RecordingCatalogue } from '../store/recording-catalogue.js';
import type { ChatLog } from '../store/chat-log.js';
import { handleRecordingsApi } from './recordings-api.js';
import { handleUploadsApi } from './uploads-api.js';
import { handleAssignmentsApi } from './assignments-api.js';
import type { AssignmentStore } from '../store/assignment-store.js';
import { linkToken } from './playback.js';
import type { Recordings } from './recordings.js';
import { parseBody, readJson } from './json-body.js';


const createBody = z.object({
  title: z.string().trim().min(1).max(200),
  kind: z.string().optional(),
  seats: z.number().int().min(0).max(64).optional(),
  venues: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  record: z.boolean().optional(),
  selfSeat: z.boolean().optional(),
});

export interface AdminApiDeps {
  readonly relay: Relay;
  readonly sessions: SessionStore;
  readonly kinds: SessionKinds;
  readonly adminToken: string;
  /** The relay's public base URL (for join links). */
  readonly baseUrl: () => string;
  readonly startedAt: number;
  /** Public code look-up (rate-limited per address); throws RefusedError. */
  readonly lookup: (code: string, ip: string) => StoredSession;
  readonly catalogue: RecordingCatalogue;
  readonly recordings: Recordings;
  readonly chat: ChatLog;
  readonly assignments: AssignmentStore;
}

function authorised(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return !!m && sameSecret(m[1]!, token);
}

export function sessionView(s: StoredSession, baseUrl: string, participants?: number) {
  return {
    id: s.id, code: formatCode(s.code), url: `${baseUrl}/j/${s.code}`, title: s.title, kind: s.kind, seats: s.seats,
    venues: s.venues, record: s.record, selfSeat: s.selfSeat ?? true, step: s.step ?? null, createdAt: s.createdAt, endedAt: s.endedAt ?? null,
    ...(participants !== undefined ? { participants } : {}),
  };
}

async function createSession(deps: AdminApiDeps, body: unknown) {
  const data = parseBody(createBody, body);
  const kind = deps.kinds.get(data.kind ?? 'meeting');
  let code = inviteCode();
  while (deps.sessions.byCode(code)) code = inviteCode();
  const hostKey = randomSecret(24);
  const stored: StoredSession = {
    id: randomUUID(), code, title: data.title, kind: kind.name, seats: data.seats ?? kind.seats,
    venues: data.venues ?? [...kind.venues], record: data.record ?? false, selfSeat: data.selfSeat ?? kind.selfSeat,
    hostKeyHash: hashSecret(hostKey), createdAt: new Date().toISOString(),
  };
  await deps.sessions.add(stored);
  return { ...sessionView(stored, deps.baseUrl()), hostKey };
}

/** Handle `/api/...`; returns false when the path is not an API path. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, ip: string, deps: AdminApiDeps): Promise<boolean> {
  if (!path.startsWith('/api/')) return false;
  try {
    const join = /^\/api\/join\/([0-9-]{9,13})$/.exec(path);
    if (join && req.method === 'GET') {
      const s = deps.lookup(join[1]!.replace(/-/g, ''), ip);
      sendJson(res, 200, { code: formatCode(s.code), title: s.title, kind: s.kind, seats: s.seats, venues: s.venues });
      return true;
    }
    // Before the admin check: a school's upload token opens `/api/uploads…` (and nothing else).
    if (await handleUploadsApi(req, res, new URL(req.url ?? path, 'http://relay'), { adminToken: deps.adminToken, catalogue: deps.catalogue, chat: deps.chat, readJson })) return true;
    if (!authorised(req, deps.adminToken)) throw new RefusedError('TOKEN_WRONG');
    if (path === '/api/relay' && req.method === 'GET') {
      sendJson(res, 200, {
        url: deps.baseUrl(), version: '0.1.0', uptime: Math.round((Date.now() - deps.startedAt) / 1000),
        sessions: deps.relay.sessions.size, peers: deps.relay.peerCount,
      });
      return true;
    }
    if (path === '/api/sessions' && req.method === 'POST') {
      sendJson(res, 201, await createSession(deps, await readJson(req)));
      return true;
    }
    if (path === '/api/sessions' && req.method === 'GET') {
      const sessions = deps.sessions.all().map((s) => sessionView(s, deps.baseUrl(), deps.relay.sessions.get(s.id)?.participants.size ?? 0));
      sendJson(res, 200, { sessions });
      return true;
    }
    if (await handleRecordingsApi(req, res, new URL(req.url ?? path, 'http://relay'), { catalogue: deps.catalogue, recordings: deps.recordings, readJson, chat: deps.chat, link: (id) => `${deps.baseUrl()}/play/${id}?t=${linkToken(deps.adminToken, id)}` })) return true;
    if (await handleAssignmentsApi(req, res, new URL(req.url ?? path, 'http://relay'), { catalogue: deps.catalogue, assignments: deps.assignments, readJson, baseUrl: deps.baseUrl })) return true;
    const record = /^\/api\/sessions\/([^/]+)\/record$/.exec(path);
    if (record && req.method === 'POST') {
      const s = deps.sessions.find(decodeURIComponent(record[1]!));
      if (!s) throw new RefusedError('CODE_UNKNOWN', { code: record[1]! });
      const on = (await readJson(req) as { on?: unknown }).on !== false;
      const live = deps.relay.session(s);
      await live.setRecording(on, 'admin');
      sendJson(res, 200, { recording: live.recording });
      return true;
    }
    const one = /^\/api\/sessions\/([^/]+)$/.exec(path);
    if (one) {
      const s = deps.sessions.find(decodeURIComponent(one[1]!));
      if (!s) throw new RefusedError('CODE_UNKNOWN', { code: one[1]! });
      if (req.method === 'GET') {
        const live = deps.relay.sessions.get(s.id);
        sendJson(res, 200, { ...sessionView(s, deps.baseUrl(), live?.participants.size ?? 0), participants: live ? (live.stateMessage() as { participants: unknown[] }).participants : [] });
        return true;
      }
      if (req.method === 'DELETE') {
        const ended = await deps.sessions.end(s.id);
        deps.relay.endSession(s.id, 'ended');
        sendJson(res, 200, sessionView(ended ?? s, deps.baseUrl()));
        return true;
      }
    }
    throw new RefusedError('NOT_FOUND', { path });
  } catch (err) {
    sendError(res, err);
    return true;
  }
}
