// Voice notices over HTTP. `POST /api/sessions/<sessionId>/notices` (the audio as the body, at most 2 MiB) and
// `GET|HEAD /api/sessions/<sessionId>/notices/<id>` (HTTP Range). Callers show they are in the session with the
// member token of their live connection (`X-Jiaoyan-Member`, or `?m=` for an <audio> element); only the host and
// seat holders add. The body is streamed to a temp file with the cap enforced while reading, checked with ffprobe
// and stored (see media/voice-notice.ts); every temp file goes on any failure. Everyone connected hears of a new
// notice (`notice`). Uploads are capped (each runs ffprobe, maybe ffmpeg): one at a time per participant, two at
// once per relay; past that 429 NOTICE_BUSY.
import { open, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvironmentError, JiaoyanError, RefusedError, UsageError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { sameSecret } from '../core/secrets.js';
import { assertVoiceNotice, storagePlan, storeAudio, voiceFacts } from '../media/voice-notice.js';
import type { Participant } from '../relay/participant.js';
import type { Relay } from '../relay/relay.js';
import type { ServerMessage } from '../signaling/protocol.js';
import type { Notice, NoticeStore } from '../store/notice-store.js';
import { sendJson } from './http-errors.js';
import { sendFileWithRanges } from './range-file.js';

const log = logger('server:notices');

/** Largest voice notice upload, bytes (NOTICE_TOO_LARGE, 413). */
export const MAX_NOTICE_BYTES = 2 * 1024 * 1024;
/** The request header carrying the member token (`joined.memberToken`). */
export const MEMBER_HEADER = 'x-jiaoyan-member';
/**
 * A body refused before it was read to its end is still read (and dropped) up to this many bytes in all, so the
 * client gets the answer on an open connection; past it the connection is cut.
 */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;

/** Uploads one participant may have in progress at once. */
export const NOTICE_UPLOADS_PER_MEMBER = 1;
/** Uploads in progress at once in the whole relay. */
export const NOTICE_UPLOADS_PER_RELAY = 2;
/** `Retry-After` of a NOTICE_BUSY answer: about how long checking and storing a notice takes. */
const BUSY_RETRY_SECONDS = 2;

const PATH = /^\/api\/sessions\/([^/]+)\/notices(?:\/([^/]+))?$/;

export interface NoticesApiDeps {
  readonly relay: Relay;
  readonly store: NoticeStore;
  readonly uploads: NoticeUploads;
}

/** The uploads in progress, by participant: a new one past either cap is refused with NOTICE_BUSY (429). */
export class NoticeUploads {
  readonly #byMember = new Map<string, number>();
  #total = 0;

  constructor(readonly perMember = NOTICE_UPLOADS_PER_MEMBER, readonly perRelay = NOTICE_UPLOADS_PER_RELAY) {}

  /** Take a place for one upload of `memberId`; call the returned function (once) when it is over. */
  take(memberId: string): () => void {
    const mine = this.#byMember.get(memberId) ?? 0;
    if (mine >= this.perMember || this.#total >= this.perRelay) throw new RefusedError('NOTICE_BUSY', { seconds: BUSY_RETRY_SECONDS });
    this.#byMember.set(memberId, mine + 1);
    this.#total++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#total--;
      const left = (this.#byMember.get(memberId) ?? 1) - 1;
      if (left > 0) this.#byMember.set(memberId, left);
      else this.#byMember.delete(memberId);
    };
  }
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}

/** The participant whose member token this is, in that live session; every token is compared (constant time). */
function memberOf(relay: Relay, sessionId: string, token: string | undefined): Participant {
  const session = relay.sessions.get(sessionId);
  let found: Participant | undefined;
  if (token && token.length <= 128 && session && !session.closed) {
    for (const p of session.participants.values()) if (sameSecret(token, p.memberToken) && !p.closed) found = p;
  }
  if (!found) throw new RefusedError('MEMBER_TOKEN_WRONG');
  return found;
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers[MEMBER_HEADER];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('m') ?? undefined;
}

/** Handle `/api/sessions/<id>/notices…` (member token, not the admin token); false for other paths. */
export async function handleNoticesApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: NoticesApiDeps): Promise<boolean> {
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  const sessionId = decoded(m[1]!);
  const id = m[2] === undefined ? undefined : decoded(m[2]);
  try {
    const member = memberOf(deps.relay, sessionId, tokenOf(req, url));
    if (id === undefined) {
      if (req.method !== 'POST') throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
      const notice = await addNotice(req, member, sessionId, deps);
      for (const p of deps.relay.sessions.get(sessionId)?.participants.values() ?? []) p.send({ type: 'notice', notice } satisfies ServerMessage);
      sendJson(res, 201, notice);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' });
    const found = await deps.store.get(sessionId, id);
    if (!found) throw new RefusedError('NOTICE_UNKNOWN', { id: id.slice(0, 40) });
    await sendFileWithRanges(req, res, found.path, found.notice.mime);
    return true;
  } catch (err) {
    if (!req.complete) dropRest(req, res);
    throw err;
  }
}

/** Read what is left of a refused body and drop it (up to DRAIN_MAX_BYTES), so the answer reaches the client. */
function dropRest(req: IncomingMessage, res: ServerResponse): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > DRAIN_MAX_BYTES) {
    res.shouldKeepAlive = false;
    return;
  }
  let dropped = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_MAX_BYTES) req.socket.destroy();
  });
  req.resume();
}

async function addNotice(req: IncomingMessage, member: Participant, sessionId: string, deps: NoticesApiDeps): Promise<Notice> {
  if (member.role !== 'host' && !member.seat) throw new RefusedError('NOTICE_NOT_ALLOWED');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_NOTICE_BYTES) throw new UsageError('NOTICE_TOO_LARGE', { max: '2 MiB' });
  const done = deps.uploads.take(member.id);
  try {
    return await receiveNotice(req, member, sessionId, deps.store);
  } finally {
    done();
  }
}

/** The body to a temp file, checked, stored (transcoded when it is not Opus): the new notice. */
async function receiveNotice(req: IncomingMessage, member: Participant, sessionId: string, store: NoticeStore): Promise<Notice> {
  await store.assertRoom(sessionId);
  const upload = await store.tempPath(sessionId);
  let stored: string | undefined;
  try {
    await receiveBody(req, upload, MAX_NOTICE_BYTES);
    const facts = await voiceFacts(upload);
    assertVoiceNotice(facts);
    const plan = storagePlan(facts);
    let file = upload;
    if (plan.action !== 'keep') {
      stored = await store.tempPath(sessionId, plan.mime === 'audio/webm' ? '.webm' : '.ogg');
      await storeAudio(upload, stored, plan);
      file = stored;
    }
    const bytes = (await stat(file)).size;
    const notice = await store.add(sessionId, file, { by: member.name, venue: member.venue, seconds: facts.seconds, bytes, mime: plan.mime });
    log('%s added notice %s to %s (%s s, %s, %s)', member.id, notice.id, sessionId, notice.seconds, plan.action, plan.mime);
    return notice;
  } finally {
    // Moved into place on success (rm of a missing path is a no-op); left over on any failure.
    await rm(upload, { force: true });
    if (stored) await rm(stored, { force: true });
  }
}

/**
 * Stream the request body into a new file at `path` (mode 0600), at most `max` bytes: past that NOTICE_TOO_LARGE
 * at once (the caller drops the rest). A body cut short is a 400.
 */
async function receiveBody(req: IncomingMessage, path: string, max: number): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await new Promise<void>((resolve, reject) => {
      let size = 0;
      let writing: Promise<unknown> = Promise.resolve();
      const stop = (err: unknown) => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('close', onClose);
        req.off('error', onClose);
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) return stop(new UsageError('NOTICE_TOO_LARGE', { max: '2 MiB' }));
        req.pause();
        writing = fh.write(chunk).then(() => req.resume(), (err: unknown) => stop(err));
      };
      const onEnd = () => void writing.then(() => resolve(), (err: unknown) => reject(err));
      const onClose = () => {
        if (!req.complete) stop(new UsageError('BAD_REQUEST', { detail: 'body cut short' }));
      };
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('close', onClose);
      req.once('error', onClose);
    });
  } catch (err) {
    if (err instanceof JiaoyanError) throw err;
    throw new EnvironmentError('DATA_DIR_UNWRITABLE', { path, detail: (err as Error).message });
  } finally {
    await fh.close();
  }
}
