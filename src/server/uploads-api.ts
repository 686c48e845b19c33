// The county side of `library publish --to`: `/api/uploads…`, a chunked upload that survives a dropped link.
// POST /api/uploads declares a school's recording and its files (the id is the same for the same school and
// recording, so a rerun finds the bytes already confirmed); PUT …/files/<name>?offset=N appends one chunk where
// the confirmed bytes end; POST …/complete verifies every SHA-256 and files the recording in this relay's library as
// published from that school. Callers hold the admin token, or a school's upload token (which opens nothing else,
// and fixes the school whatever the body says).
import { dirname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { JiaoyanError, RefusedError, UsageError } from '../core/errors.js';
import { sameSecret } from '../core/secrets.js';
import type { ChatLog } from '../store/chat-log.js';
import type { RecordingCatalogue } from '../store/recording-catalogue.js';
import { MAX_CHUNK_BYTES, MAX_UPLOAD_BYTES, UPLOAD_FILE, UploadStore, uploadId } from '../store/upload-store.js';
import { UploadTokens } from '../store/upload-tokens.js';
import { sendJson } from './http-errors.js';
import { importUpload } from './upload-import.js';
import { parseBody } from './json-body.js';

const ID = /^[0-9a-f-]{36}$/;
const text = (max: number) => z.string().trim().min(1).max(max);

const createBody = z.object({
  origin: z.object({ school: text(100).optional(), recordingId: z.string().regex(ID) }),
  meta: z.object({
    title: text(200), kind: text(32).optional(), teacher: text(64).optional(), subject: text(64).optional(), grade: text(32).optional(),
    startedAt: z.iso.datetime({ offset: true }), endedAt: z.iso.datetime({ offset: true }).optional(),
    duration: z.number().min(0).max(7 * 24 * 3600).optional(), venues: z.array(text(64)).max(50),
  }),
  files: z.array(z.object({
    name: z.string().regex(UPLOAD_FILE), size: z.number().int().min(0).max(MAX_UPLOAD_BYTES), sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })).min(1).max(66)
    .refine((fs) => new Set(fs.map((f) => f.name)).size === fs.length, 'file names repeat')
    .refine((fs) => fs.filter((f) => f.name.startsWith('program.')).length === 1, 'exactly one program file'),
});

export interface UploadsApiDeps {
  readonly adminToken: string;
  readonly catalogue: RecordingCatalogue;
  readonly chat: ChatLog;
  readonly readJson: (req: IncomingMessage) => Promise<unknown>;
}

/** One store per relay (its catalogue), shared by all requests: appends to an upload must queue on one lock. */
const stores = new WeakMap<RecordingCatalogue, { uploads: UploadStore; tokens: UploadTokens }>();

function storesOf(catalogue: RecordingCatalogue): { uploads: UploadStore; tokens: UploadTokens } {
  let s = stores.get(catalogue);
  if (!s) {
    const dataDir = dirname(catalogue.dir);
    s = { uploads: new UploadStore(dataDir), tokens: new UploadTokens(dataDir) };
    stores.set(catalogue, s);
  }
  return s;
}

/** Who calls: the admin (any school) or the school of an upload token. */
async function caller(req: IncomingMessage, deps: UploadsApiDeps, tokens: UploadTokens): Promise<{ school?: string }> {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) throw new RefusedError('TOKEN_WRONG');
  if (sameSecret(m[1]!, deps.adminToken)) return {};
  const school = await tokens.schoolOf(m[1]!);
  if (school === undefined) throw new RefusedError('TOKEN_WRONG');
  return { school };
}

/**
 * The request body as one chunk: Content-Length required, at most MAX_CHUNK_BYTES, and all of it. A body refused
 * unread closes the connection after the answer (rather than reading megabytes only to drop them).
 */
async function readChunk(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const refuse = (err: UsageError) => {
    res.shouldKeepAlive = false;
    return err;
  };
  if (declared === undefined || !/^\d{1,12}$/.test(declared)) throw refuse(new UsageError('BAD_REQUEST', { detail: 'Content-Length required' }));
  const length = Number(declared);
  if (length > MAX_CHUNK_BYTES) throw refuse(new UsageError('TOO_LARGE', { detail: `a chunk is at most ${MAX_CHUNK_BYTES} bytes` }));
  const body = Buffer.alloc(length);
  let at = 0;
  try {
    for await (const c of req) {
      const chunk = c as Buffer;
      if (at + chunk.length > length) throw new UsageError('TOO_LARGE', { detail: 'body longer than its Content-Length' });
      chunk.copy(body, at);
      at += chunk.length;
    }
  } catch (err) {
    throw err instanceof JiaoyanError ? err : new UsageError('BAD_REQUEST', { detail: 'body cut short' });
  }
  if (at !== length) throw new UsageError('BAD_REQUEST', { detail: 'body cut short' });
  return body;
}

/** Handle `/api/uploads…` (checks its own tokens); false for other paths. */
export async function handleUploadsApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: UploadsApiDeps): Promise<boolean> {
  const path = url.pathname;
  if (path !== '/api/uploads' && !path.startsWith('/api/uploads/')) return false;
  const { uploads, tokens } = storesOf(deps.catalogue);
  const who = await caller(req, deps, tokens);
  const m = /^\/api\/uploads(?:\/([^/]+)(?:\/(complete)|\/files\/([^/]+))?)?$/.exec(path);
  if (!m) throw new RefusedError('NOT_FOUND', { path });
  const [, id, complete, file] = m;
  if (!id) {
    if (req.method !== 'POST') throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
    sendJson(res, 200, await create(parseBody(createBody, await deps.readJson(req)), who, uploads, deps.catalogue));
    return true;
  }
  if (!ID.test(id)) throw new RefusedError('UPLOAD_UNKNOWN', { id });
  const published = deps.catalogue.get(id);
  if (published) {
    if (who.school !== undefined && published.origin?.school !== who.school) throw new RefusedError('UPLOAD_UNKNOWN', { id });
    if (file !== undefined) throw new RefusedError('UPLOAD_UNKNOWN', { id }); // a late chunk: the upload is done
    if (req.method !== (complete ? 'POST' : 'GET')) throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
    if (await uploads.get(id)) await uploads.forget(id); // a completion stopped between the library and the clean-up
    sendJson(res, 200, complete ? published : { id, published: true });
    return true;
  }
  const manifest = await uploads.get(id);
  if (!manifest || (who.school !== undefined && manifest.school !== who.school)) throw new RefusedError('UPLOAD_UNKNOWN', { id });
  if (file !== undefined) {
    if (!UPLOAD_FILE.test(file)) throw new UsageError('BAD_REQUEST', { detail: `not an upload file name: ${file.slice(0, 40)}` });
    if (req.method !== 'PUT') throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
    const offset = url.searchParams.get('offset') ?? '';
    if (!/^\d{1,13}$/.test(offset)) throw new UsageError('BAD_REQUEST', { detail: 'offset=<bytes> required' });
    sendJson(res, 200, { received: await uploads.append(id, file, Number(offset), await readChunk(req, res)) });
    return true;
  }
  if (complete) {
    if (req.method !== 'POST') throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
    sendJson(res, 200, await uploads.complete(id, deps.catalogue.folderOf(id), (folder, up) => importUpload(deps.catalogue, deps.chat, folder, up)));
    return true;
  }
  if (req.method !== 'GET') throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
  sendJson(res, 200, { id, published: false, school: manifest.school, files: await progressOf(uploads, id, manifest.files) });
  return true;
}

async function progressOf(uploads: UploadStore, id: string, files: readonly { name: string; size: number }[]) {
  return Promise.all(files.map(async (f) => ({ name: f.name, size: f.size, received: await uploads.received(id, f.name) })));
}

/** Declare (or find again) an upload; a recording already published here from the same school is reported as such. */
async function create(body: z.infer<typeof createBody>, who: { school?: string }, uploads: UploadStore, catalogue: RecordingCatalogue) {
  const school = who.school ?? body.origin.school;
  if (!school) throw new UsageError('BAD_REQUEST', { detail: 'origin.school: required with the admin token' });
  if (body.files.reduce((s, f) => s + f.size, 0) > MAX_UPLOAD_BYTES) throw new UsageError('UPLOAD_TOO_LARGE', { max: '8 GiB' });
  const id = uploadId(school, body.origin.recordingId);
  const published = catalogue.get(id);
  if (published) {
    for (const f of body.files.filter((x) => x.name !== 'chat.json')) {
      const known = published.files.find((x) => x.name === f.name);
      if (!known || (known.sha256 !== undefined && known.sha256 !== f.sha256)) throw new RefusedError('UPLOAD_PUBLISHED_OTHER', { file: f.name });
    }
    return { id, published: true, files: body.files.map((f) => ({ name: f.name, size: f.size, received: f.size })) };
  }
  const manifest = await uploads.open(school, body.origin.recordingId, body.meta, body.files);
  return { id, published: false, files: await progressOf(uploads, id, manifest.files) };
}
