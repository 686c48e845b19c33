// Serve one file with HTTP Range (RFC 9110): a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range gets 206 with
// Content-Range, an unsatisfiable one 416, none the whole file; HEAD gets the headers only. Video players seek
// this way.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RefusedError } from '../core/errors.js';

/** The byte range a `Range` header asks for in a file of `size` bytes: undefined = whole file, null = unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined | null {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // several ranges or garbage: the whole file
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return null;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

export async function sendFileWithRanges(req: IncomingMessage, res: ServerResponse, path: string, contentType: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new RefusedError('NOT_FOUND', { path: req.url ?? '' });
  const range = parseRange(req.headers.range, info.size);
  const headers: Record<string, string | number> = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, no-store' };
  if (range === null) {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${info.size}` });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  res.writeHead(range ? 206 : 200, {
    ...headers, 'content-length': info.size === 0 ? 0 : end - start + 1,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
  });
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(path, { start, end });
    stream.on('error', reject);
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
