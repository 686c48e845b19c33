// The one place where errors become HTTP statuses and WebSocket close codes (STYLE.md #5). Bodies are
// `{"error":{"code","message","params"?}}` with the message localised; stack traces and foreign error texts never
// reach a client (they go to the `jiaoyan:http` debug log).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JiaoyanError, type ErrorKind } from '../core/errors.js';
import { getLang, t, type Lang, type MessageParams } from '../core/i18n.js';
import { logger } from '../core/log.js';

const log = logger('http');

/** Status of each error class: who must act. */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  usage: 400,
  refused: 403,
  runtime: 500,
  environment: 503,
  aborted: 503,
  bug: 500,
};

/** Machine codes whose status is more precise than their class's (docs/protocol.md, HTTP). */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  TOKEN_MISSING: 401,
  TOKEN_WRONG: 401,
  NOT_FOUND: 404,
  CODE_UNKNOWN: 404,
  SESSION_UNKNOWN: 404,
  RECORDING_UNKNOWN: 404,
  ASSIGNMENT_UNKNOWN: 404,
  RECORDING_STATE: 409,
  METHOD_NOT_ALLOWED: 405,
  WRONG_STATE: 409,
  SESSION_ENDED: 410,
  TOO_LARGE: 413,
  UPLOAD_TOO_LARGE: 413,
  UPLOAD_UNKNOWN: 404,
  UPLOAD_OFFSET: 409,
  UPLOAD_INCOMPLETE: 409,
  UPLOAD_PUBLISHED_OTHER: 409,
  UPLOAD_HASH_MISMATCH: 422,
  RATE_LIMITED: 429,
  PLAYER_RATE_LIMITED: 429,
  NOTICE_TOO_LARGE: 413,
  NOTICE_UNKNOWN: 404,
  NOTICE_LIMIT: 409,
  NOTICE_BUSY: 429,
};

/** The HTTP status for an error of this class and machine code. */
export function statusFor(kind: ErrorKind, code: string): number {
  return STATUS_BY_CODE[code] ?? STATUS_BY_KIND[kind];
}

/** The HTTP status of any thrown value: 500 for anything that is not a JiaoyanError. */
export function httpStatusOf(err: unknown): number {
  return err instanceof JiaoyanError ? statusFor(err.kind, err.code) : 500;
}

/** The language of a request's answer: `Accept-Language` zh* → zh, another language → en, none → the relay's. */
export function requestLang(req: IncomingMessage | undefined): Lang {
  const header = req?.headers['accept-language'];
  if (!header) return getLang();
  const first = header.split(',')[0]?.trim() ?? '';
  return /^zh\b/i.test(first) ? 'zh' : 'en';
}

/**
 * Machine code and message safe to show a client, with the message's parameters (nothing the message does
 * not already show) so a jiaoyan client can say it again in its own language.
 */
export function publicError(err: unknown, lang: Lang = getLang()): { code: string; message: string; params?: MessageParams } {
  if (err instanceof JiaoyanError && err.kind !== 'bug') {
    const params = Object.keys(err.params).length > 0 ? { params: err.params } : {};
    return { code: err.code, message: t(err.code, err.params, lang), ...params };
  }
  return { code: 'INTERNAL', message: t('HTTP_INTERNAL', {}, lang) };
}

/** Write a JSON answer (no caching). HEAD requests get the headers only (node drops the body). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Codes whose `seconds` parameter is sent as `Retry-After`. */
const RETRY_AFTER_CODES = new Set(['RATE_LIMITED', 'PLAYER_RATE_LIMITED', 'NOTICE_BUSY']);

/** `Retry-After` seconds of a RATE_LIMITED (or NOTICE_BUSY) error (its `seconds` parameter). */
function retryAfter(err: unknown): Record<string, string> {
  if (err instanceof JiaoyanError && RETRY_AFTER_CODES.has(err.code) && err.params.seconds !== undefined) {
    return { 'Retry-After': String(err.params.seconds) };
  }
  return {};
}

/**
 * Answer a request with an error: `{"error":{"code","message"}}` in the requester's language. Statuses come
 * from `httpStatusOf`; 5xx are logged with their stack. Only catalogued errors show their own message: bugs
 * and foreign errors are shown as INTERNAL. When the headers already went out the connection is cut instead.
 */
export function sendError(res: ServerResponse, err: unknown, lang: Lang = requestLang(res.req)): void {
  const status = httpStatusOf(err);
  if (status >= 500) log('%s %s → %d: %O', res.req.method, res.req.url, status, err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: publicError(err, lang) }, retryAfter(err));
}
