// Where a command finds the relay: --relay/--token flags, else the relay started from this data dir
// (relay.json + admin-token), and the relay's CA (--ca, else <data-dir>/tls/ca.pem) for https; JSON requests, and raw
// bodies for uploads.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { once } from 'node:events';
import { AbortedError, EnvironmentError, type JiaoyanError, remoteError, RuntimeError, UsageError } from '../core/errors.js';

export interface RelayTarget {
  readonly url: string;
  readonly token?: string;
  readonly ca?: string;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function resolveRelay(dataDir: string, flags: { relay?: string; token?: string; ca?: string }): Promise<RelayTarget> {
  let url = flags.relay;
  if (!url) {
    const info = await readOptional(join(dataDir, 'relay.json'));
    if (info) url = (JSON.parse(info) as { url: string }).url;
  }
  if (!url) throw new EnvironmentError('RELAY_NOT_CONFIGURED');
  try {
    url = new URL(url).origin;
  } catch {
    throw new UsageError('BAD_REQUEST', { detail: `--relay ${url} is not a URL` });
  }
  const token = flags.token ?? (await readOptional(join(dataDir, 'admin-token')))?.trim();
  const ca = flags.ca ? await readFile(flags.ca, 'utf8') : await readOptional(join(dataDir, 'tls', 'ca.pem'));
  return { url, ...(token ? { token } : {}), ...(ca ? { ca } : {}) };
}

/** A relay's answer: its status and JSON body (`{}` when there is none). */
export interface RelayAnswer {
  readonly status: number;
  readonly json: { error?: { code?: string; message?: string; params?: Record<string, string | number> } } & Record<string, unknown>;
}

/** A request body: JSON text, or raw bytes (sent in slices, so a slow link keeps the connection active). */
export interface RelayBody {
  readonly data: string | Uint8Array;
  readonly type: string;
}

const SLICE = 64 * 1024;

/**
 * One request to the relay, whatever its status; a network failure is EnvironmentError RELAY_UNREACHABLE
 * (AbortedError when `signal` stopped it).
 */
export function relayExchange(target: RelayTarget, method: string, path: string, body?: RelayBody, opts: { timeoutMs?: number; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<RelayAnswer> {
  const url = new URL(path, target.url);
  const data = body === undefined ? undefined : typeof body.data === 'string' ? Buffer.from(body.data, 'utf8') : body.data;
  const send = url.protocol === 'https:' ? request : httpRequest;
  if (opts.signal?.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      ...(target.ca ? { ca: target.ca } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      headers: {
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(body && data ? { 'content-type': body.type, 'content-length': String(data.length) } : {}),
        ...opts.headers,
      },
      timeout: opts.timeoutMs ?? 15_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new EnvironmentError('RELAY_UNREACHABLE', { url: target.url, detail: err.message })));
      res.on('end', () => {
        let json: RelayAnswer['json'] = {};
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          json = {};
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(opts.signal?.aborted ? new AbortedError() : new EnvironmentError('RELAY_UNREACHABLE', { url: target.url, detail: err.message })));
    if (!data || data.length <= SLICE) return void req.end(data);
    void (async () => {
      for (let at = 0; at < data.length; at += SLICE) {
        if (!req.write(data.subarray(at, at + SLICE))) await once(req, 'drain');
      }
      req.end();
    })().catch(() => undefined); // the request's own 'error' rejects
  });
}

/** The error a non-2xx answer means (refusals are exit 4). */
export function answerError(target: RelayTarget, a: RelayAnswer): JiaoyanError {
  const detail = a.json.error?.message ?? `HTTP ${a.status}`;
  const code = a.json.error?.code ?? 'BAD_REQUEST';
  if (a.status === 400 || a.status === 413) return remoteError('usage', code, detail, a.json.error?.params);
  if ([401, 403, 404, 409, 410, 429].includes(a.status)) return remoteError('refused', code, detail, a.json.error?.params);
  if (a.status === 422) return remoteError('runtime', code, detail, a.json.error?.params);
  return new RuntimeError('RELAY_UNREACHABLE', { url: target.url, detail });
}

/** A JSON request to the relay; HTTP errors become the matching error classes (exit 4 for refusals). */
export async function relayRequest<T>(target: RelayTarget, method: string, path: string, body?: unknown): Promise<T> {
  const a = await relayExchange(target, method, path, body === undefined ? undefined : { data: JSON.stringify(body), type: 'application/json' });
  if (a.status >= 200 && a.status < 300) return a.json as T;
  throw answerError(target, a);
}
