// Finds relays on the LAN: asks for `_jiaoyan._tcp.local` over mDNS and collects the answers for a while
// (`jiaoyan relay list`, `jiaoyan join` without --relay). Answers are read by lan-service.ts, which skips anything
// malformed; nothing a stranger sends can throw out of the socket handler.
import makeMdns from 'multicast-dns';
import type { RemoteInfo } from 'node:dgram';
import { AbortedError, EnvironmentError } from '../core/errors.js';
import { readResponse, SERVICE, type FoundRelay } from '../core/lan-service.js';
import { logger } from '../core/log.js';

export type { FoundRelay } from '../core/lan-service.js';

const log = logger('lan');
/** How long `relay list` and `join` listen for answers by default. */
export const DEFAULT_BROWSE_MS = 1500;
const MDNS = { address: '224.0.0.251', port: 5353 } as const;

export interface BrowseOptions {
  /** How long to listen, in ms (default 1500). */
  readonly timeoutMs?: number;
  /** Stops the browse: it then rejects with AbortedError. */
  readonly signal?: AbortSignal;
  /** A relay answered for the first time. */
  readonly onFound?: (relay: FoundRelay) => void;
  /** A relay said goodbye (it stopped). */
  readonly onGone?: (name: string) => void;
}

type Mdns = ReturnType<typeof makeMdns>;

/** An mDNS socket on `port`, or the reason it could not be bound. */
function open(port: number): Promise<Mdns | Error> {
  return new Promise((resolve) => {
    let mdns: Mdns;
    try {
      mdns = makeMdns({ port, reuseAddr: true });
    } catch (err) {
      return resolve(err as Error);
    }
    mdns.on('warning', (err: Error) => log('mDNS: %s', err.message));
    mdns.once('ready', () => resolve(mdns));
    mdns.on('error', (err: Error) => {
      log('mDNS socket on port %d: %s', port, err.message);
      try {
        mdns.destroy();
      } catch {
        // already closed
      }
      resolve(err);
    });
  });
}

/**
 * Listen to 5353 beside the system's responder (reuseAddr); when that port cannot be had, query from a port of our
 * own — responders then answer us directly (legacy unicast, RFC 6762 §6.7), only goodbyes are missed.
 */
async function openBrowser(): Promise<Mdns> {
  const shared = await open(MDNS.port);
  if (!(shared instanceof Error)) return shared;
  const own = await open(0);
  if (own instanceof Error) throw new EnvironmentError('LAN_UNAVAILABLE', { detail: own.message }, { cause: own });
  return own;
}

/**
 * The relays that answer within `timeoutMs`, in the order they first answered, one per instance name and per
 * URL + CA; those that said goodbye meanwhile are left out.
 */
export async function discoverRelays(opts: BrowseOptions = {}): Promise<FoundRelay[]> {
  if (opts.signal?.aborted) throw new AbortedError();
  const mdns = await openBrowser();
  const relays = new Map<string, FoundRelay>();
  mdns.on('response', (packet: unknown, rinfo: RemoteInfo) => {
    try {
      const { found, gone } = readResponse(packet, rinfo.address);
      for (const name of gone) {
        if (relays.delete(name.toLowerCase())) opts.onGone?.(name);
      }
      for (const relay of found) {
        const key = relay.name.toLowerCase();
        const known = relays.has(key);
        relays.set(key, relay);
        if (!known) opts.onFound?.(relay);
      }
    } catch (err) {
      log('ignored an answer from %s: %O', rinfo?.address, err);
    }
  });
  const ask = () => {
    try {
      mdns.query([{ name: SERVICE, type: 'PTR' }], { ...MDNS }, (err) => err && log('mDNS query failed: %s', err.message));
    } catch (err) {
      log('mDNS query failed: %O', err);
    }
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_BROWSE_MS;
  const timers: NodeJS.Timeout[] = [];
  try {
    ask();
    // Ask once more: a lost datagram (Wi-Fi) should not hide a relay.
    timers.push(setTimeout(ask, Math.min(1000, timeoutMs / 2)));
    await new Promise<void>((resolve, reject) => {
      timers.push(setTimeout(resolve, timeoutMs));
      opts.signal?.addEventListener('abort', () => reject(new AbortedError()), { once: true });
    });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await new Promise<void>((resolve) => {
      try {
        mdns.destroy(() => resolve());
      } catch {
        resolve();
      }
    });
  }
  // One per URL and CA: a neighbour repeating a relay's URL with another pin must not hide the real one.
  const seen = new Set<string>();
  return [...relays.values()].filter((r) => {
    const key = `${r.url} ${r.caFingerprint ?? ''}`;
    return !seen.has(key) && !!seen.add(key);
  });
}
