// TLS material of the relay. Browsers only open camera and microphone on HTTPS pages, so the relay always has
// a certificate: either its own (a local CA per relay, installed once per device, and a server certificate
// re-issued whenever the machine's addresses change) or the one given with --cert/--key.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { t } from '../core/i18n.js';
import { logger } from '../core/log.js';
import { canonicalSan, createCa, issueServerCert, machineNames, readOwnCert, sameSans, wantedSans, type CertPair } from './tls-issue.js';

const log = logger('tls');
const DAY_MS = 86_400_000;
/** A certificate this close to its end is replaced at start. */
export const RENEW_BEFORE_DAYS = 30;

/** File names inside `<data-dir>/tls/`. */
export const TLS_FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', key: 'server-key.pem' } as const;

/** What an HTTPS server needs, and what the certificate covers. */
export interface ServerTls {
  /** Private key, PEM. */
  readonly key: string;
  /** Certificate (or chain), PEM. */
  readonly cert: string;
  /** Names and addresses the certificate is valid for (canonical: `::1`, lowercase DNS names). */
  readonly sans: string[];
  readonly notAfter: Date;
}

/** The relay's own TLS material (`--tls auto`). */
export interface TlsMaterial extends ServerTls {
  /** The CA certificate, PEM: what devices install (`jiaoyan relay ca`). */
  readonly ca: string;
  readonly caPath: string;
  /** The CA was created by this call (first start, or the old one had run out): devices must install it. */
  readonly caCreated: boolean;
  /** A new server certificate was written by this call (first start, new addresses, near its end, or unusable). */
  readonly reissued: boolean;
  /** Why it was (re)issued: `new`, `sans`, `expiry` or `invalid`. */
  readonly reason?: ReissueReason;
}

export type ReissueReason = 'new' | 'sans' | 'expiry' | 'invalid';

export interface EnsureTlsOptions {
  /** Hostnames to cover instead of this machine's (tests). */
  readonly hostnames?: readonly string[];
  /** IP addresses to cover instead of this machine's non-internal ones (tests). */
  readonly ips?: readonly string[];
  /** Names or addresses to cover as well, e.g. `--public-ip` behind NAT or a DNS name the school set up. */
  readonly also?: readonly string[];
  /** The current time (tests). */
  readonly now?: () => Date;
}

export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvironmentError('TLS_FILE_UNREADABLE', { path, detail: (err as Error).message }, { cause: err });
  }
}

async function writeOrFail(path: string, data: string, mode: number): Promise<void> {
  try {
    await writeFileAtomic(path, data, mode);
  } catch (err) {
    throw new EnvironmentError('DATA_DIR_UNWRITABLE', { path, detail: (err as Error).message }, { cause: err });
  }
}

/** Key first, then certificate: a certificate on disk always has its key beside it. */
async function writePair(dir: string, names: { cert: string; key: string }, pair: CertPair): Promise<void> {
  await writeOrFail(join(dir, names.key), pair.keyPem, 0o600);
  await writeOrFail(join(dir, names.cert), pair.certPem, 0o644);
}

function keyMatches(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}

/**
 * The stored CA, or undefined when there is none yet or it is about to run out (a new one is then made).
 * A CA certificate without its usable key is an error: replacing it silently would break every device that
 * installed it.
 */
async function loadCa(dir: string, now: Date): Promise<CertPair | undefined> {
  const caPath = join(dir, TLS_FILES.ca);
  const certPem = await readIfExists(caPath);
  if (certPem === undefined) return undefined;
  const broken = (detail: string, cause?: unknown) =>
    new EnvironmentError('TLS_CA_BROKEN', { path: caPath, dir, detail }, cause === undefined ? {} : { cause });
  const keyPem = await readIfExists(join(dir, TLS_FILES.caKey));
  if (keyPem === undefined) throw broken(`${TLS_FILES.caKey} is missing`);
  let notAfter: Date;
  try {
    if (!keyMatches(certPem, keyPem)) throw broken(`${TLS_FILES.caKey} does not belong to ${TLS_FILES.ca}`);
    notAfter = readOwnCert(certPem).notAfter;
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    throw broken((err as Error).message, err);
  }
  if (notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) {
    log('CA %s ends %s: creating a new one', caPath, notAfter.toISOString());
    return undefined;
  }
  return { certPem, keyPem };
}

/** Why the stored server certificate cannot be kept, or undefined when it can. */
function staleReason(server: CertPair, ca: CertPair, sans: readonly string[], now: Date): ReissueReason | undefined {
  let own: ReturnType<typeof readOwnCert>;
  try {
    const x509 = new X509Certificate(server.certPem);
    const caX509 = new X509Certificate(ca.certPem);
    if (!keyMatches(server.certPem, server.keyPem) || !x509.checkIssued(caX509) || !x509.verify(caX509.publicKey)) return 'invalid';
    own = readOwnCert(server.certPem);
  } catch (err) {
    log('server certificate unusable: %s', (err as Error).message);
    return 'invalid';
  }
  if (!sameSans(own.sans, sans)) return 'sans';
  if (own.notBefore > now || own.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return 'expiry';
  return undefined;
}

async function prepareDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  } catch (err) {
    throw new EnvironmentError('DATA_DIR_UNWRITABLE', { path: dir, detail: (err as Error).message }, { cause: err });
  }
}

/**
 * The relay's TLS material in `<dataDir>/tls/`, created on first start and reused afterwards. The server
 * certificate is re-issued (by the same CA) when the wanted SANs changed, it ends within 30 days, or it is
 * unusable. Key files are mode 0600 in a 0700 folder; every file is written atomically.
 */
export async function ensureTls(dataDir: string, opts: EnsureTlsOptions = {}): Promise<TlsMaterial> {
  const dir = tlsDir(dataDir);
  const now = opts.now?.() ?? new Date();
  const machine = opts.hostnames && opts.ips ? undefined : machineNames();
  const hostnames = opts.hostnames ?? machine?.hostnames ?? [];
  const also = opts.also ?? [];
  const sans = wantedSans({
    hostnames: [...hostnames, ...also.filter((n) => isIP(n) === 0)],
    ips: [...(opts.ips ?? machine?.ips ?? []), ...also.filter((n) => isIP(n) !== 0)],
  });
  await prepareDir(dir);

  let ca = await loadCa(dir, now);
  const caCreated = ca === undefined;
  if (ca === undefined) {
    ca = createCa(hostnames[0] ?? 'localhost', now);
    await writePair(dir, { cert: TLS_FILES.ca, key: TLS_FILES.caKey }, ca);
    log('created CA in %s', dir);
  }

  let reason: ReissueReason | undefined = 'new';
  let server: CertPair | undefined;
  if (!caCreated) {
    const [certPem, keyPem] = await Promise.all([readIfExists(join(dir, TLS_FILES.cert)), readIfExists(join(dir, TLS_FILES.key))]);
    if (certPem !== undefined && keyPem !== undefined) {
      server = { certPem, keyPem };
      reason = staleReason(server, ca, sans, now);
    }
  }
  if (reason !== undefined || server === undefined) {
    server = issueServerCert(ca, sans, now);
    await writePair(dir, { cert: TLS_FILES.cert, key: TLS_FILES.key }, server);
    log('issued server certificate (%s) for %s', reason, sans.join(', '));
  }
  const own = readOwnCert(server.certPem);
  return {
    key: server.keyPem,
    cert: server.certPem,
    sans: own.sans,
    notAfter: own.notAfter,
    ca: ca.certPem,
    caPath: join(dir, TLS_FILES.ca),
    caCreated,
    reissued: reason !== undefined,
    ...(reason !== undefined ? { reason } : {}),
  };
}

/** Facts about a certificate for people and scripts (`jiaoyan relay ca --json`). */
export function describeCertificate(pem: string): { subject: string; fingerprint256: string; notAfter: string; serialNumber: string } {
  const x = new X509Certificate(pem);
  return {
    subject: x.subject.split('\n').join(', '),
    fingerprint256: x.fingerprint256,
    notAfter: new Date(x.validTo).toISOString(),
    serialNumber: x.serialNumber,
  };
}

/** SANs of any certificate from node's `subjectAltName` text (DNS names and IP addresses only). */
function sansOf(x: X509Certificate): string[] {
  const out: string[] = [];
  for (const part of (x.subjectAltName ?? '').split(', ')) {
    const m = /^(DNS|IP Address):(.+)$/.exec(part);
    if (m) out.push(canonicalSan(m[2]!));
  }
  return out;
}

async function readGiven(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') throw new UsageError('TLS_FILE_MISSING', { flag, path }, { cause: err });
    throw new EnvironmentError('TLS_FILE_UNREADABLE', { path, detail: (err as Error).message }, { cause: err });
  }
}

const swappedHint = (): string => t('TLS_SWAPPED');

/**
 * A certificate and key given with `--cert`/`--key` (PEM; the certificate file may hold the whole chain).
 * Usage errors name the path: missing file, not PEM, encrypted key, key of another certificate, expired.
 */
export async function loadGivenTls(certPath: string, keyPath: string, now: Date = new Date()): Promise<ServerTls> {
  const [cert, key] = await Promise.all([readGiven(certPath, '--cert'), readGiven(keyPath, '--key')]);
  const keyLike = (s: string) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(s);
  const certLike = (s: string) => s.includes('-----BEGIN CERTIFICATE-----');
  if (!certLike(cert)) {
    throw new UsageError('TLS_NOT_CERT', { path: certPath, detail: 'no PEM certificate block' }, keyLike(cert) ? { hint: swappedHint() } : {});
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new UsageError('TLS_NOT_CERT', { path: certPath, detail: (err as Error).message }, { cause: err });
  }
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(key)) throw new UsageError('TLS_KEY_ENCRYPTED', { path: keyPath });
  if (!keyLike(key)) {
    throw new UsageError('TLS_NOT_KEY', { path: keyPath, detail: 'no PEM private key block' }, certLike(key) ? { hint: swappedHint() } : {});
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch (err) {
    throw new UsageError('TLS_NOT_KEY', { path: keyPath, detail: (err as Error).message }, { cause: err });
  }
  if (!x509.checkPrivateKey(keyObject)) throw new UsageError('TLS_KEY_MISMATCH', { keyPath, certPath });
  const notAfter = new Date(x509.validTo);
  const notBefore = new Date(x509.validFrom);
  if (notAfter <= now) throw new UsageError('TLS_CERT_EXPIRED', { path: certPath, date: notAfter.toISOString() });
  if (notBefore > now) throw new UsageError('TLS_CERT_NOT_YET_VALID', { path: certPath, date: notBefore.toISOString() });
  return { key, cert, sans: sansOf(x509), notAfter };
}
