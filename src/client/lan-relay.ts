// `jiaoyan join <code>` without --relay, on a computer that runs no relay itself: find the school's relay on the
// LAN. Its CA is not installed here, so it is fetched from the relay (`GET /ca.pem`) and accepted only when its
// SHA-256 matches the `ca=` of the announcement: trust on first discovery, pinned by the announcement.
//
// Which relay, when several answer: only one of them knows the invite code, so the first (in the order they
// answered) that does — asked with `GET /api/join/<code>`; when none does, the first, whose refusal then explains.
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { AbortedError, EnvironmentError, JiaoyanError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import { caFingerprint } from '../core/lan-service.js';
import { logger } from '../core/log.js';
import { discoverRelays, type FoundRelay } from './lan-discovery.js';
import { relayRequest, type RelayTarget } from './relay-target.js';

const log = logger('lan');
/** A CA certificate is about 1 KB; anything much larger is not one. */
const MAX_CA_BYTES = 64 * 1024;

/** GET `url` over HTTPS without verifying the server: what comes back is checked by the caller. */
function fetchUnverified(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: timeoutMs, ...(signal ? { signal } : {}) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`HTTP ${res.statusCode ?? 0}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_CA_BYTES) return req.destroy(new Error('answer too large'));
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(signal?.aborted ? new AbortedError() : err));
    req.end();
  });
}

/**
 * How to reach a relay found on the LAN: with its CA when it announced one (fetched, and checked against the
 * announced fingerprint); plain (system trust) when it announced none or speaks http.
 */
export async function pinnedTarget(relay: FoundRelay, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RelayTarget> {
  if (!relay.url.startsWith('https:') || !relay.caFingerprint) return { url: relay.url };
  let pem: string;
  try {
    pem = await fetchUnverified(new URL('/ca.pem', relay.url), opts.timeoutMs ?? 5000, opts.signal);
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    throw new EnvironmentError('RELAY_UNREACHABLE', { url: relay.url, detail: (err as Error).message }, { cause: err });
  }
  let matches = false;
  try {
    matches = new X509Certificate(pem).ca && caFingerprint(pem) === relay.caFingerprint;
  } catch (err) {
    log('%s/ca.pem is not a certificate: %s', relay.url, (err as Error).message);
  }
  if (!matches) throw new EnvironmentError('LAN_CA_MISMATCH', { name: relay.name, url: relay.url });
  return { url: relay.url, ca: pem };
}

async function knowsCode(target: RelayTarget, code: string): Promise<boolean> {
  try {
    await relayRequest(target, 'GET', `/api/join/${code}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The relay on the LAN for invite `code` (9 digits), with its pinned CA; `say` tells the person which one
 * (stderr). EnvironmentError LAN_NO_RELAY when none answers.
 */
export async function relayFromLan(code: string, opts: { timeoutMs?: number; signal?: AbortSignal; say: (text: string) => void }): Promise<RelayTarget> {
  opts.say(t('discovery_searching'));
  const found = await discoverRelays({ ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  if (!found.length) throw new EnvironmentError('LAN_NO_RELAY');
  let fallback: { relay: FoundRelay; target: RelayTarget } | undefined;
  let failure: JiaoyanError | undefined;
  for (const relay of found) {
    let target: RelayTarget;
    try {
      target = await pinnedTarget(relay, opts.signal ? { signal: opts.signal } : {});
    } catch (err) {
      if (!(err instanceof JiaoyanError) || err instanceof AbortedError) throw err;
      opts.say(t('discovery_skipped', { name: relay.name, url: relay.url, reason: err.localised() }));
      failure ??= err;
      continue;
    }
    if (found.length === 1 || (await knowsCode(target, code))) {
      opts.say(found.length === 1 ? t('discovery_using', { name: relay.name, url: relay.url }) : t('discovery_using_of', { name: relay.name, url: relay.url, count: found.length }));
      return target;
    }
    fallback ??= { relay, target };
  }
  if (!fallback) throw failure ?? new EnvironmentError('LAN_NO_RELAY');
  opts.say(t('discovery_using', { name: fallback.relay.name, url: fallback.relay.url }));
  return fallback.target;
}
