// One mapping from error classes and codes to HTTP statuses and WebSocket close codes; bodies never leak internals.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, EnvironmentError, InvalidStateError, RefusedError, RuntimeError, UsageError } from '../../src/core/errors.js';
import { setLang } from '../../src/core/i18n.js';
import { httpStatusOf, sendError, sendJson, statusFor } from '../../src/server/http-errors.js';

describe('HTTP statuses', () => {
  it('follow the class of the error', () => {
    expect(httpStatusOf(new UsageError('BAD_NUMBER', { flag: 'seats', what: 'a number', value: 'x' }))).toBe(400);
    expect(httpStatusOf(new RefusedError('USAGE', { detail: 'no' }))).toBe(403);
    expect(httpStatusOf(new RuntimeError('INPUT_MISSING', { path: '/x' }))).toBe(500);
    expect(httpStatusOf(new EnvironmentError('DATA_DIR_UNWRITABLE', { path: '/x', detail: 'EACCES' }))).toBe(503);
    expect(httpStatusOf(new InvalidStateError('Relay'))).toBe(500);
    expect(httpStatusOf(new TypeError('boom'))).toBe(500);
    expect(httpStatusOf('a string')).toBe(500);
  });

  it('are more precise for the codes of docs/protocol.md', () => {
    expect(statusFor('refused', 'CODE_UNKNOWN')).toBe(404);
    expect(statusFor('refused', 'SESSION_ENDED')).toBe(410);
    expect(statusFor('refused', 'RATE_LIMITED')).toBe(429);
    expect(statusFor('refused', 'TOKEN_WRONG')).toBe(401);
    expect(statusFor('refused', 'HOST_KEY_WRONG')).toBe(403);
    expect(statusFor('usage', 'NOT_FOUND')).toBe(404);
    expect(statusFor('usage', 'METHOD_NOT_ALLOWED')).toBe(405);
    expect(statusFor('usage', 'BAD_REQUEST')).toBe(400);
  });
});

describe('error answers', () => {
  let server: Server;
  let base: string;
  const errors: Record<string, () => unknown> = {
    '/limited': () => new RefusedError('RATE_LIMITED', { seconds: 42 }),
    '/usage': () => new UsageError('BAD_PATH'),
    '/bug': () => new TypeError('cannot read properties of undefined (reading "x") at /srv/secret/path.js:12'),
    '/invalid': () => new InvalidStateError('Session'),
    '/env': () => new EnvironmentError('DATA_DIR_UNWRITABLE', { path: '/data', detail: 'EACCES' }),
    '/late': () => new RefusedError('FLOODED'),
  };

  beforeAll(async () => {
    setLang('en');
    server = createServer((req, res) => {
      if (req.url === '/ok') return sendJson(res, 201, { made: true });
      if (req.url === '/late') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('partial');
      }
      sendError(res, errors[req.url ?? '']!());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('writes JSON with the status and no caching', async () => {
    const r = await fetch(`${base}/ok`);
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({ made: true });
  });

  it('answers RATE_LIMITED with 429 and Retry-After', async () => {
    const r = await fetch(`${base}/limited`);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('42');
    expect(await r.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: 'too many failed attempts from your address; try again in 42 s', params: { seconds: 42 } },
    });
  });

  it('localises the message from Accept-Language', async () => {
    const r = await fetch(`${base}/usage`, { headers: { 'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.8' } });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: { code: 'BAD_PATH', message: '不允许访问此地址' } });
    const en = await fetch(`${base}/usage`, { headers: { 'Accept-Language': 'fr-FR' } });
    expect(((await en.json()) as { error: { message: string } }).error.message).toBe('this address is not allowed');
  });

  it('shows a foreign error or a bug as INTERNAL, without its text or stack', async () => {
    for (const path of ['/bug', '/invalid']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: "internal error; the relay log has the details" } });
      expect(text).not.toMatch(/secret|\.js|at |Session/);
    }
  });

  it('shows environment errors (503) with their own message', async () => {
    const r = await fetch(`${base}/env`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('DATA_DIR_UNWRITABLE');
  });

  it('cuts the connection when the headers already went out', async () => {
    // The client sees a broken response (at the headers or in the body), never a second answer glued on.
    await expect(fetch(`${base}/late`).then((r) => r.text())).rejects.toThrow();
  });
});
