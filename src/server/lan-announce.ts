// While the relay runs it announces itself on the LAN with mDNS/DNS-SD (`_jiaoyan._tcp.local`: PTR, SRV, TXT with
// url, v and the CA fingerprint, A): twice at start (RFC 6762 §8.3), in answer to queries, and with a goodbye
// (TTL 0) when it stops. The announcer never stops the relay: no multicast route, port 5353 taken, a malformed
// packet — all are logged (--debug) and the relay carries on without being found.
//
// Why the `multicast-dns` package rather than our own socket: werift already depends on it (the same version is in
// the lock, so nothing new is downloaded), its dns-packet does the name compression and the bounds-checked decoding
// of what strangers send, which we would otherwise write and test ourselves, and it joins the mDNS group on every
// interface (again when one appears). It binds 5353 with reuseAddr, beside Avahi or Bonjour. Decoding errors are
// caught inside it ('warning'); what is ours — which records, when to answer, the goodbye — is in lan-service.ts.
import makeMdns from 'multicast-dns';
import type { RemoteInfo } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { Answer, Question } from 'dns-packet';
import { answerQuestions, caFingerprint, relayNames, relayRecords, txtEntries, type RelayAd } from '../core/lan-service.js';
import { logger } from '../core/log.js';

const log = logger('lan');
export const MDNS_PORT = 5353;
/** RFC 6762 §6.7: answers to a legacy (non-5353) querier carry TTLs of at most 10 s. */
const LEGACY_TTL = 10;

export interface AnnounceOptions {
  /** The relay's URL, e.g. `https://192.168.1.20:8443`. */
  readonly url: string;
  /** The relay's own CA (PEM): its fingerprint goes into the TXT record so clients can pin it. */
  readonly caPem?: string;
  /** This machine's name (default os.hostname()). */
  readonly hostname?: string;
}

export interface LanAnnouncer {
  readonly ad: RelayAd;
  /** Whether the mDNS socket is up and the relay answers queries. */
  readonly active: boolean;
  /** Say goodbye (TTL 0) and close the socket; never rejects. */
  close(): Promise<void>;
}

/** Whether a relay listening on `bind` can be reached from the LAN at all (a loopback-only one is not announced). */
export function reachableFromLan(bind: string): boolean {
  return !(bind.startsWith('127.') || bind === '::1' || bind === 'localhost');
}

/** The URL's own IPv4 address, else every non-internal IPv4 address of this machine. */
function addressesFor(urlHost: string): string[] {
  if (isIPv4(urlHost)) return [urlHost];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && !out.includes(a.address)) out.push(a.address);
  }
  return out;
}

/** What a relay at `url` announces. */
export function relayAd(opts: AnnounceOptions): RelayAd {
  const u = new URL(opts.url);
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  return {
    ...relayNames(opts.hostname ?? osHostname(), port),
    port,
    url: u.origin,
    addresses: addressesFor(u.hostname),
    ...(opts.caPem ? { caFingerprint: caFingerprint(opts.caPem) } : {}),
  };
}

const inactive = (ad: RelayAd): LanAnnouncer => ({ ad, active: false, close: async () => undefined });

/**
 * Start announcing; resolves once the mDNS socket is bound (or could not be), so the relay answers queries from
 * the moment it says it listens. Never rejects.
 */
export async function announceRelay(opts: AnnounceOptions): Promise<LanAnnouncer> {
  let ad: RelayAd;
  let mdns: ReturnType<typeof makeMdns>;
  try {
    ad = relayAd(opts);
    if (txtEntries(ad).some((e) => Buffer.byteLength(e, 'utf8') > 255)) throw new Error(`${ad.url} is too long for a TXT record`);
    mdns = makeMdns({ port: MDNS_PORT, reuseAddr: true });
  } catch (err) {
    log('not announcing on the LAN: %O', err);
    return inactive({ instance: '', host: '', port: 0, url: opts.url, addresses: [] });
  }
  let active = false;
  let closed = false;
  let again: NodeJS.Timeout | undefined;

  /** Send a response; resolves when it left (or failed, which is logged). */
  const send = (packet: { id?: number; questions?: Question[]; answers: Answer[]; additionals: Answer[] }, to?: { port: number; address: string }) =>
    new Promise<void>((resolve) => {
      if (!active) return resolve();
      try {
        mdns.respond(packet, to, (err) => {
          if (err) log('mDNS send failed: %s', err.message);
          resolve();
        });
      } catch (err) {
        log('mDNS send failed: %O', err);
        resolve();
      }
    });
  const announce = () => void send(relayRecords(ad));

  mdns.on('warning', (err: Error) => log('mDNS: %s', err.message));
  mdns.on('query', (query: { id?: unknown; questions?: unknown }, rinfo: RemoteInfo) => {
    try {
      if (!active) return;
      const legacy = rinfo.port !== MDNS_PORT;
      const answer = answerQuestions(ad, query.questions, legacy ? LEGACY_TTL : undefined);
      if (!answer) return;
      const { question, ...records } = answer;
      if (!legacy) return void send(records);
      void send({ id: typeof query.id === 'number' ? query.id : 0, questions: [question], ...records }, { port: rinfo.port, address: rinfo.address });
    } catch (err) {
      log('ignored a query from %s: %O', rinfo?.address, err);
    }
  });
  // A new interface joined the group (Wi-Fi came back): tell it.
  mdns.on('networkInterface', () => {
    if (active) announce();
  });

  const ready = await new Promise<boolean>((resolve) => {
    mdns.once('ready', () => resolve(true));
    mdns.on('error', (err: NodeJS.ErrnoException) => {
      log('mDNS unavailable, the relay is not announced on the LAN: %s', err.message);
      active = false;
      resolve(false);
    });
  });
  const destroy = () => new Promise<void>((resolve) => {
    try {
      mdns.destroy(() => resolve());
    } catch (err) {
      log('closing the mDNS socket: %O', err);
      resolve();
    }
  });
  if (!ready) {
    await destroy();
    return inactive(ad);
  }
  active = true;
  log('announcing %s as "%s" (%s)', ad.url, ad.instance, ad.addresses.join(', '));
  announce();
  again = setTimeout(announce, 1000);
  again.unref();
  return {
    ad,
    get active() {
      return active;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(again);
      await send(relayRecords(ad, { goodbye: true }));
      active = false;
      await destroy();
    },
  };
}
