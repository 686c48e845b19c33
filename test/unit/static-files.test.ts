// The web folder is served and nothing outside it is, whatever the request path looks like.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendError } from '../../src/server/http-errors.js';
import { resolveUrlPath, serveStatic } from '../../src/server/static-files.js';
import { tempDir } from '../helpers/cli.js';

const SECRET = 'OUTSIDE-THE-WEB-ROOT';
const BIG_JS = `const lines = ${JSON.stringify(Array.from({ length: 2000 }, (_, i) => `第${i}行 line ${i}`))};\n`;

/** GET with the body as bytes (gzip is not text). */
function getBytes(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Send the request bytes exactly as given (no client-side normalisation of the path). */
function raw(port: number, requestLine: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const h: Record<string, string> = {};
      for (const line of headerLines) {
        const i = line.indexOf(':');
        h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers: h, body: Buffer.from(rest.join('\r\n\r\n'), 'latin1').toString('utf8') });
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`${requestLine}\r\nHost: relay\r\nConnection: close\r\n${extra}\r\n`, 'latin1');
  });
}

const get = (port: number, path: string, headers?: Record<string, string>) => raw(port, `GET ${path} HTTP/1.1`, headers);

let server: Server;
let port: number;

beforeAll(async () => {
  const base = tempDir('jiaoyan-static-');
  const root = join(base, 'web');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(base, 'web-sibling'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>JOIN PAGE</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(root, 'assets', 'app-5XQ2KJ3M.js'), 'console.log("hashed");');
  writeFileSync(join(root, 'assets', 'data.bin'), 'binary');
  writeFileSync(join(root, '.secret.json'), `{"x":"${SECRET}"}`);
  writeFileSync(join(base, 'package.json'), `{"name":"${SECRET}"}`);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  writeFileSync(join(base, 'web-sibling', 'file.txt'), SECRET);
  symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'));
  symlinkSync(base, join(root, 'assets', 'up'));
  symlinkSync(join(base, 'web-sibling', 'file.txt'), join(root, 'sibling.txt'));
  writeFileSync(join(root, 'assets', 'big.js'), BIG_JS);
  writeFileSync(join(root, 'assets', 'big.js.gz'), gzipSync(BIG_JS));
  // A twin older than its file (a rebuild that did not write it) is not used.
  writeFileSync(join(root, 'assets', 'stale.js'), 'console.log("new");');
  writeFileSync(join(root, 'assets', 'stale.js.gz'), gzipSync('console.log("old");'));
  utimesSync(join(root, 'assets', 'stale.js.gz'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  server = createServer((req, res) => {
    serveStatic(req, res, root, req.url ?? '/').catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('serving the web folder', () => {
  it('serves the join page for / and /j/<code>, never cached without revalidation', async () => {
    for (const path of ['/', '/j/482193775', '/j/482-193-775', '/?lang=zh']) {
      const r = await get(port, path);
      expect(r.status, path).toBe(200);
      expect(r.body).toContain('JOIN PAGE');
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves assets with their type; content-hashed names are immutable', async () => {
    const r = await get(port, '/assets/app.js');
    expect(r).toMatchObject({ status: 200, body: 'console.log("app");' });
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    const hashed = await get(port, '/assets/app-5XQ2KJ3M.js');
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('sends the gzip twin to a browser that takes gzip, the file itself otherwise', async () => {
    const zipped = await getBytes(port, '/assets/big.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.length).toBeLessThan(Buffer.byteLength(BIG_JS) / 3);
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(BIG_JS);
    for (const accept of [undefined, 'identity', 'gzip;q=0, br']) {
      const plain = await getBytes(port, '/assets/big.js', accept ? { 'Accept-Encoding': accept } : {});
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString('utf8')).toBe(BIG_JS);
      expect(plain.headers.etag).not.toBe(zipped.headers.etag);
    }
    const stale = await getBytes(port, '/assets/stale.js', { 'Accept-Encoding': 'gzip' });
    expect(stale.headers['content-encoding']).toBeUndefined();
    expect(stale.body.toString('utf8')).toBe('console.log("new");');
    // The twin is not a URL of its own.
    expect((await getBytes(port, '/assets/big.js.gz')).status).toBe(404);
  });

  it('answers 304 when the ETag still matches', async () => {
    const first = await get(port, '/assets/app.js');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"/);
    const again = await get(port, '/assets/app.js', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers HEAD with headers only, and refuses other methods with 405', async () => {
    const head = await raw(port, 'HEAD /assets/app.js HTTP/1.1');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("app");'.length));
    expect(head.body).toBe('');
    const post = await raw(port, 'POST /index.html HTTP/1.1', { 'Content-Length': '0' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 404 for missing files, folders, unknown types and dot-files', async () => {
    for (const path of ['/nope.js', '/assets', '/assets/', '/assets/data.bin', '/.secret.json', '/j/abc']) {
      const r = await get(port, path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain(SECRET);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
  });

  it('answers API-like paths with a JSON error, in the language asked for', async () => {
    const r = await get(port, '/api/nothing', { 'Accept-Language': 'zh-CN,zh;q=0.9' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'NOT_FOUND', message: '未找到' } });
    const en = await get(port, '/api/../package.json');
    expect(en.status).toBe(400);
    expect(JSON.parse(en.body)).toEqual({ error: { code: 'BAD_PATH', message: 'this address is not allowed' } });
  });
});

describe('no path reaches outside the web folder', () => {
  const attempts = [
    '/../package.json',
    '/../secret.txt',
    '/..%2fpackage.json',
    '/%2e%2e/package.json',
    '/%2E%2E/package.json',
    '/%2e%2e%2fpackage.json',
    '/.%2e/package.json',
    '/%252e%252e/package.json',
    '/%252e%252e%252fpackage.json',
    '/..%252fpackage.json',
    '/%25252e%25252e/package.json',
    '/assets/../../package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/./../secret.txt',
    '\\..\\package.json',
    '/..\\package.json',
    '/%5c..%5cpackage.json',
    '/assets%5c..%5c..%5cpackage.json',
    '/index.html%00.js',
    '/%00/../package.json',
    '/assets/%00',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/%2Fetc/passwd',
    '/C:/Windows/win.ini',
    '/%c0%ae%c0%ae/package.json',
    '/%e0%80%ae%e0%80%ae/package.json',
    '/..%c0%afpackage.json',
    '/%',
    '/%zz/../package.json',
    '/leak.txt',
    '/sibling.txt',
    '/assets/up/secret.txt',
    '/assets/up/package.json',
    'http://relay/../package.json',
    '../package.json',
    '*',
  ];

  it.each(attempts)('%s → 4xx without the outside content', async (path) => {
    const r = await get(port, path);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toContain(SECRET);
  });

  it('refuses a raw NUL byte in the request line', async () => {
    const r = await raw(port, 'GET /\0/../package.json HTTP/1.1');
    expect(r.status).toBe(400);
    expect(r.body).not.toContain(SECRET);
  });

  it('checks paths as text before touching the disk', () => {
    expect(resolveUrlPath('/')).toEqual({ ok: true, relPath: 'index.html' });
    expect(resolveUrlPath('/j/482193775?x=1')).toEqual({ ok: true, relPath: 'index.html' });
    expect(resolveUrlPath('/assets/%61pp.js')).toEqual({ ok: true, relPath: 'assets/app.js' });
    expect(resolveUrlPath('/assets/app.js#x')).toEqual({ ok: true, relPath: 'assets/app.js' });
    for (const bad of ['/..', '/a/../b.js', '/%2e%2e/b.js', '/%252e%252e/b.js', '/a\\b.js', '/a%5cb.js', '/a%00.js', '//a.js', 'a.js', '/a//b.js', '/x:y.js']) {
      expect(resolveUrlPath(bad), bad).toEqual({ ok: false, code: 'BAD_PATH' });
    }
  });
});
