// Where a command finds the relay: --relay/--token flags, else the relay started from this data dir
// (relay.json + admin-token), and the relay's CA (--ca, else <data-dir>/tls/ca.pem) for https.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { EnvironmentError, remoteError, RuntimeError, UsageError } from '../core/errors.js';

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

/** A JSON request to the relay; HTTP errors become the matching error classes (exit 4 for refusals). */
export function relayRequest<T>(target: RelayTarget, method: string, path: string, body?: unknown): Promise<T> {
  const url = new URL(path, target.url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  const send = url.protocol === 'https:' ? request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      ...(target.ca ? { ca: target.ca } : {}),
      headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}), ...(data ? { 'content-type': 'application/json' } : {}) },
      timeout: 15_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let json: { error?: { code?: string; message?: string; params?: Record<string, string | number> } } & Record<string, unknown> = {};
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          json = {};
        }
        if (status >= 200 && status < 300) return resolve(json as T);
        const detail = json.error?.message ?? `HTTP ${status}`;
        const code = json.error?.code ?? 'BAD_REQUEST';
        if (status === 400) return reject(remoteError('usage', code, detail, json.error?.params));
        if ([401, 403, 404, 409, 410, 429].includes(status)) return reject(remoteError('refused', code, detail, json.error?.params));
        reject(new RuntimeError('RELAY_UNREACHABLE', { url: target.url, detail }));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(new EnvironmentError('RELAY_UNREACHABLE', { url: target.url, detail: err.message })));
    req.end(data);
  });
}
