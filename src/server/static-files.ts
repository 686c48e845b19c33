// The web client's files (the join page and its bundle) from one folder. No URL may reach outside it:
// the path is checked as text first (decoded once; NUL, backslashes, `..`/`.` segments, leftover percent
// escapes, empty segments, dot-files and drive letters are refused), then the real path of the file
// (symlinks resolved) must still lie inside the real root, and the file is opened without following a
// final symlink.
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, isAbsolute } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError, JiaoyanError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import { logger } from '../core/log.js';
import { httpStatusOf, requestLang, sendError } from './http-errors.js';

const log = logger('http');

/** Served types; files of any other extension are not served (404). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Routes of the single-page join client: `/` and `/j/<invite code>` (digits, dashes allowed). */
const PAGE_ROUTES = [/^\/$/, /^\/j\/[0-9-]{1,20}\/?$/];

/** esbuild-style content-hashed names (`app-5XQ2KJ3M.js`) never change: cache them for a year. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

type Check = { ok: true; relPath: string } | { ok: false; code: 'BAD_PATH' | 'NOT_FOUND' };

/**
 * The file a URL path asks for, relative to the web root (`index.html` for the page routes), or why not.
 * Pure: looks at text only. Exported for tests.
 */
export function resolveUrlPath(urlPath: string): Check {
  const raw = urlPath.split(/[?#]/, 1)[0] ?? '';
  if (!raw.startsWith('/') || raw.includes('\\') || raw.includes('\0')) return { ok: false, code: 'BAD_PATH' };
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch (err) {
    if (!(err instanceof URIError)) throw err;
    return { ok: false, code: 'BAD_PATH' }; // malformed percent-encoding is simply a bad path
  }
  // Anything still looking encoded was encoded twice: refuse rather than guess what a later layer does.
  if (/[\0\\:]|%/.test(path) || path.startsWith('//')) return { ok: false, code: 'BAD_PATH' };
  if (PAGE_ROUTES.some((r) => r.test(path))) return { ok: true, relPath: 'index.html' };
  const segments = path.slice(1).split('/');
  for (const s of segments) {
    if (s === '..' || s === '.') return { ok: false, code: 'BAD_PATH' };
    if (s === '') return { ok: false, code: path.endsWith('/') ? 'NOT_FOUND' : 'BAD_PATH' };
    if (s.startsWith('.')) return { ok: false, code: 'NOT_FOUND' };
  }
  if (!Object.hasOwn(CONTENT_TYPES, extname(path).toLowerCase())) return { ok: false, code: 'NOT_FOUND' };
  return { ok: true, relPath: segments.join('/') };
}

/** Whether `child` is `root` or lies below it (both absolute, normalised). */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Open `relPath` under `root` if its real path stays inside the real root and is a regular file. */
async function openInside(root: string, relPath: string): Promise<FileHandle | undefined> {
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    realFile = await realpath(join(realRoot, relPath));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
  if (!isInside(realRoot, realFile) || realFile === realRoot) {
    log('refused %s: resolves outside the web root', relPath);
    return undefined;
  }
  let fh: FileHandle;
  try {
    // O_NOFOLLOW: a symlink swapped in after realpath() is refused, not followed.
    fh = await open(realFile, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw err;
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    return undefined;
  }
  return fh;
}

/** Plain-text error for pages and assets; API-like paths get the JSON error body via `sendError`. */
function refuse(req: IncomingMessage, res: ServerResponse, urlPath: string, err: JiaoyanError, headers: Record<string, string> = {}): void {
  if (urlPath.startsWith('/api/')) {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    sendError(res, err);
    return;
  }
  const text = t(err.code, err.params, requestLang(req)) + '\n';
  res.writeHead(httpStatusOf(err), {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function cacheControl(relPath: string): string {
  if (relPath.endsWith('.html')) return 'no-cache';
  return HASHED_NAME.test(relPath) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * Serve `urlPath` (the request target as received, query allowed) from the web folder `root`.
 * GET/HEAD only (else 405 with `Allow`). `/` and `/j/<code>` serve `index.html`. A refused path is 400
 * `BAD_PATH`, a missing one 404 `NOT_FOUND` — plain text, or `{"error":{"code","message"}}` for paths under
 * `/api/`. HTML and unhashed files are `no-cache` (revalidated with the ETag, answered 304 when unchanged);
 * content-hashed names are immutable for a year.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, urlPath: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    refuse(req, res, urlPath, new UsageError('METHOD_NOT_ALLOWED', { method: req.method ?? '' }), { Allow: 'GET, HEAD' });
    return;
  }
  const check = resolveUrlPath(urlPath);
  if (!check.ok) {
    refuse(req, res, urlPath, new UsageError(check.code));
    return;
  }
  const fh = await openInside(root, check.relPath);
  if (!fh) {
    refuse(req, res, urlPath, new UsageError('NOT_FOUND'));
    return;
  }
  // The bundle's gzip twin (written by the build) for a browser that takes gzip: a third of the bytes on a school link.
  const gz = acceptsGzip(req) ? await gzipTwin(root, check.relPath, fh) : undefined;
  const body = gz ?? fh;
  try {
    const st = await body.stat();
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}${gz ? '-gz' : ''}"`;
    const headers = {
      'Content-Type': CONTENT_TYPES[extname(check.relPath).toLowerCase()]!,
      'Cache-Control': cacheControl(check.relPath),
      ETag: etag,
      'Last-Modified': st.mtime.toUTCString(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      Vary: 'Accept-Encoding',
      ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': st.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(body.createReadStream({ autoClose: false }), res);
    } catch (err) {
      // The client went away mid-file (or the disk failed): nothing more can be said on this response.
      log('sending %s stopped: %s', check.relPath, (err as Error).message);
      res.destroy();
    }
  } finally {
    await fh.close();
    await gz?.close();
  }
}

/** Whether the request's Accept-Encoding takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  });
}

/** `<relPath>.gz` beside the file when it is at least as new as the file (a stale twin is ignored). */
async function gzipTwin(root: string, relPath: string, original: FileHandle): Promise<FileHandle | undefined> {
  if (!/\.(js|css|html|map|svg|json)$/.test(relPath)) return undefined;
  const twin = await openInside(root, `${relPath}.gz`);
  if (!twin) return undefined;
  const [a, b] = await Promise.all([original.stat(), twin.stat()]);
  if (b.mtimeMs >= a.mtimeMs) return twin;
  await twin.close();
  return undefined;
}
