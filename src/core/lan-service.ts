// The relay's DNS-SD records on the LAN (`_jiaoyan._tcp.local`, RFC 6763 over mDNS, RFC 6762): built here for
// the relay's announcer, read back here for `relay list` and `join` without --relay. Everything that comes off
// the network is checked here and never throws: a malformed record is skipped.
import { createHash, X509Certificate } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { Answer, Question, RecordType } from 'dns-packet';

/** The service type relays announce. */
export const SERVICE = '_jiaoyan._tcp.local';
/** DNS-SD service-type enumeration (RFC 6763 §9): `avahi-browse -a` and friends ask this. */
export const SERVICES_META = '_services._dns-sd._udp.local';
/** Version of the TXT keys below; a browser skips other versions. */
export const TXT_VERSION = '1';
/** RFC 6762 §10: 120 s for records naming a host (SRV, A), 75 minutes for the others (PTR, TXT). */
const HOST_TTL = 120;
const OTHER_TTL = 4500;

/** What a relay announces. */
export interface RelayAd {
  /** DNS-SD instance name (one label), e.g. `school-pc (8443)`. */
  readonly instance: string;
  /** Target of the SRV record, e.g. `school-pc-jiaoyan.local`. */
  readonly host: string;
  readonly port: number;
  /** The relay's URL (origin), e.g. `https://192.168.1.20:8443`. */
  readonly url: string;
  /** IPv4 addresses of `host` (A records). */
  readonly addresses: readonly string[];
  /** SHA-256 of the relay's CA certificate (64 lowercase hex digits), when the relay has its own CA. */
  readonly caFingerprint?: string;
}

/** A relay found on the LAN. */
export interface FoundRelay {
  /** Instance name, e.g. `school-pc (8443)`. */
  readonly name: string;
  readonly url: string;
  readonly caFingerprint?: string;
  /** The relay's address: its A record, else where the answer came from. */
  readonly address: string;
}

/**
 * The instance and host names of a relay on this machine, each one DNS label (at most 63 bytes, no dot:
 * dns-packet splits names on dots and has no escapes). The host name is not the machine's own `<hostname>.local`:
 * a system responder (Avahi, Bonjour) owns that one and would take our A record for a conflict.
 */
export function relayNames(hostname: string, port: number): { instance: string; host: string } {
  const short = hostname.split('.')[0] || 'jiaoyan';
  const suffix = ` (${port})`;
  const chars = [...short];
  while (Buffer.byteLength(chars.join('') + suffix, 'utf8') > 63) chars.pop();
  const hostLabel = short.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'relay';
  return { instance: chars.join('') + suffix, host: `${hostLabel}-jiaoyan.local` };
}

/** SHA-256 of a PEM certificate's DER bytes, lowercase hex: what the TXT key `ca` holds. */
export function caFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** `AB:CD:…` or `abcd…` → 64 lowercase hex digits; undefined when it is not a SHA-256 fingerprint. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

function fqdn(ad: RelayAd): string {
  return `${ad.instance}.${SERVICE}`;
}

/** The TXT strings of a relay: `v=1`, `url=…`, `ca=…`. */
export function txtEntries(ad: RelayAd): string[] {
  return [`v=${TXT_VERSION}`, `url=${ad.url}`, ...(ad.caFingerprint ? [`ca=${ad.caFingerprint}`] : [])];
}

/** The relay's records; `goodbye` sets every TTL to 0 (RFC 6762 §10.1: the relay is going away). */
export function relayRecords(ad: RelayAd, opts: { goodbye?: boolean; maxTtl?: number } = {}): { answers: Answer[]; additionals: Answer[] } {
  const ttl = (n: number) => (opts.goodbye ? 0 : Math.min(n, opts.maxTtl ?? n));
  const name = fqdn(ad);
  return {
    answers: [{ name: SERVICE, type: 'PTR', ttl: ttl(OTHER_TTL), data: name }],
    additionals: [
      { name, type: 'SRV', ttl: ttl(HOST_TTL), flush: true, data: { priority: 0, weight: 0, port: ad.port, target: ad.host } },
      { name, type: 'TXT', ttl: ttl(OTHER_TTL), flush: true, data: txtEntries(ad) },
      ...ad.addresses.map((a): Answer => ({ name: ad.host, type: 'A', ttl: ttl(HOST_TTL), flush: true, data: a })),
    ],
  };
}

const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * The answer to a query's questions, or undefined when none is about this relay: the full set for the service
 * type or the instance, the A records for the host, the service type for the enumeration; with the question
 * answered (a legacy unicast answer repeats it, RFC 6762 §6.7).
 */
export function answerQuestions(ad: RelayAd, questions: unknown, maxTtl?: number): { question: Question; answers: Answer[]; additionals: Answer[] } | undefined {
  if (!Array.isArray(questions)) return undefined;
  const all = relayRecords(ad, maxTtl === undefined ? {} : { maxTtl });
  const hostOnly = all.additionals.filter((r) => r.type === 'A');
  for (const q of questions as Partial<Question>[]) {
    if (!q || typeof q !== 'object' || typeof q.name !== 'string') continue;
    const name = q.name;
    // dns-packet's types leave out ANY (255), which it decodes as 'ANY'.
    const type: string | undefined = q.type;
    const question = { name, type: type as RecordType };
    if (same(name, SERVICE) && (type === 'PTR' || type === 'ANY')) return { question, ...all };
    if (same(name, fqdn(ad)) && (type === 'SRV' || type === 'TXT' || type === 'ANY')) {
      return { question, answers: all.additionals.filter((r) => r.type !== 'A'), additionals: hostOnly };
    }
    if (same(name, ad.host) && (type === 'A' || type === 'ANY') && hostOnly.length) return { question, answers: hostOnly, additionals: [] };
    if (same(name, SERVICES_META) && (type === 'PTR' || type === 'ANY')) {
      return { question, answers: [{ name: SERVICES_META, type: 'PTR', ttl: Math.min(OTHER_TTL, maxTtl ?? OTHER_TTL), data: SERVICE }], additionals: [] };
    }
  }
  return undefined;
}

/** TXT data as dns-packet decodes it (Buffer[]) → keys (lowercase, first one wins, RFC 6763 §6.4) and values. */
export function parseTxt(data: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const items: unknown[] = Array.isArray(data) ? data : [data];
  for (const item of items) {
    const text = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : undefined;
    if (!text) continue;
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (key && !out.has(key)) out.set(key, eq < 0 ? '' : text.slice(eq + 1));
  }
  return out;
}

/** A relay URL from a TXT record: http(s), no credentials, reduced to its origin; undefined otherwise. */
function relayUrl(text: string | undefined): string | undefined {
  if (!text || text.length > 200) return undefined;
  try {
    const u = new URL(text);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

type RawRecord = { name?: unknown; type?: unknown; ttl?: unknown; data?: unknown };

function records(packet: unknown): RawRecord[] {
  if (!packet || typeof packet !== 'object') return [];
  const p = packet as { answers?: unknown; additionals?: unknown };
  const list = [...(Array.isArray(p.answers) ? p.answers : []), ...(Array.isArray(p.additionals) ? p.additionals : [])];
  return list.filter((r): r is RawRecord => !!r && typeof r === 'object');
}

/**
 * The relays an mDNS response announces (PTR + TXT, and SRV/A when present), and the instances it says goodbye
 * to (PTR with TTL 0), by instance name. `from` is the sender's address.
 */
export function readResponse(packet: unknown, from: string): { found: FoundRelay[]; gone: string[] } {
  const found: FoundRelay[] = [];
  const gone: string[] = [];
  const all = records(packet);
  const suffix = `.${SERVICE}`;
  for (const ptr of all) {
    if (ptr.type !== 'PTR' || !same(ptr.name, SERVICE) || typeof ptr.data !== 'string') continue;
    const full = ptr.data;
    if (!full.toLowerCase().endsWith(suffix) || full.length === suffix.length) continue;
    const name = full.slice(0, -suffix.length);
    if (ptr.ttl === 0) {
      gone.push(name);
      continue;
    }
    const txt = all.find((r) => r.type === 'TXT' && same(r.name, full));
    if (!txt) continue;
    const keys = parseTxt(txt.data);
    const url = relayUrl(keys.get('url'));
    if (keys.get('v') !== TXT_VERSION || !url) continue;
    const ca = keys.get('ca');
    const pin = ca === undefined ? undefined : normaliseFingerprint(ca);
    if (ca !== undefined && !pin) continue; // a pin we cannot read must not turn into "no pin"
    const srv = all.find((r) => r.type === 'SRV' && same(r.name, full));
    const target = srv && srv.data && typeof srv.data === 'object' ? (srv.data as { target?: unknown }).target : undefined;
    const a = all.find((r) => r.type === 'A' && same(r.name, String(target ?? '')) && typeof r.data === 'string' && isIPv4(r.data));
    found.push({ name, url, ...(pin ? { caFingerprint: pin } : {}), address: typeof a?.data === 'string' ? a.data : from });
  }
  return { found, gone };
}
