// The relay's TLS material: a local CA, a server certificate for the machine's names and addresses,
// re-issued when they change, trusted by a client that holds only the CA.
import { createServer } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, JiaoyanError, UsageError } from '../../src/core/errors.js';
import { ensureTls, loadGivenTls, TLS_FILES, tlsDir, type TlsMaterial } from '../../src/server/tls.js';
import { canonicalSan, SERVER_CERT_DAYS, wantedSans } from '../../src/server/tls-issue.js';
import { tempDir } from '../helpers/cli.js';

const DAY = 86_400_000;
const names = { hostnames: ['schoolpc', 'schoolpc.local'], ips: ['192.168.1.23', 'fd00::23'] };

async function thrown(p: Promise<unknown>): Promise<JiaoyanError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JiaoyanError);
  return err as JiaoyanError;
}

/** Open a TLS connection trusting only `ca` (or nothing extra); resolve with the outcome. */
function handshake(port: number, opts: { host: string; servername?: string; ca?: string }): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({ host: opts.host, port, ...(opts.servername ? { servername: opts.servername } : {}), ...(opts.ca ? { ca: [opts.ca] } : {}) });
    socket.once('secureConnect', () => {
      socket.end();
      resolve({ ok: true });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message }));
  });
}

describe('SAN list', () => {
  it('covers localhost, the hostnames, loopback and the addresses, canonical and without duplicates', () => {
    expect(wantedSans({ hostnames: ['PC1', 'pc1', 'bad name!'], ips: ['192.168.1.2', '0:0:0:0:0:0:0:1', 'FD00:0:0:0::5'] })).toEqual([
      'localhost',
      'pc1',
      '127.0.0.1',
      '::1',
      '192.168.1.2',
      'fd00::5',
    ]);
    expect(canonicalSan('Relay.School.')).toBe('relay.school');
  });
});

describe('ensureTls on first start', () => {
  it('creates a CA and a server certificate signed by it for every name and address', async () => {
    const home = tempDir();
    const tls = await ensureTls(home, names);
    expect(tls).toMatchObject({ caCreated: true, reissued: true, reason: 'new', caPath: join(home, 'tls', 'ca.pem') });

    const ca = new X509Certificate(tls.ca);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=jiaoyan relay CA schoolpc');
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(new Date(ca.validTo).getTime() - Date.now()).toBeGreaterThan(9.9 * 365 * DAY);

    const cert = new X509Certificate(tls.cert);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, DNS:schoolpc, DNS:schoolpc.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.23, IP Address:FD00:0:0:0:0:0:0:23',
    );
    for (const host of ['localhost', 'schoolpc', 'schoolpc.local']) expect(cert.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '::1', '192.168.1.23', 'fd00::23']) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.checkIP('192.168.1.24')).toBeUndefined();
    expect(tls.sans).toEqual(['localhost', 'schoolpc', 'schoolpc.local', '127.0.0.1', '::1', '192.168.1.23', 'fd00::23']);

    const days = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / DAY;
    expect(days).toBeLessThanOrEqual(SERVER_CERT_DAYS);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now());
    expect(cert.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
  });

  it('keeps keys private: key files 0600 in a 0700 folder, certificates 0644, all PEM', async () => {
    const home = tempDir();
    await ensureTls(home, names);
    const dir = tlsDir(home);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, TLS_FILES.caKey)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, TLS_FILES.key)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, TLS_FILES.ca)).mode & 0o777).toBe(0o644);
    expect(statSync(join(dir, TLS_FILES.cert)).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, TLS_FILES.ca), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n[^\r]+-----END CERTIFICATE-----\n$/);
    expect(readFileSync(join(dir, TLS_FILES.key), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe('ensureTls on later starts', () => {
  it('reuses everything when nothing changed', async () => {
    const home = tempDir();
    const first = await ensureTls(home, names);
    const again = await ensureTls(home, names);
    expect(again).toMatchObject({ caCreated: false, reissued: false });
    expect(again.reason).toBeUndefined();
    expect(again.ca).toBe(first.ca);
    expect(again.cert).toBe(first.cert);
    expect(again.key).toBe(first.key);
  });

  it('re-issues the server certificate with the same CA when the machine gets a new address', async () => {
    const home = tempDir();
    const first = await ensureTls(home, names);
    const moved = await ensureTls(home, { hostnames: names.hostnames, ips: ['10.0.0.7'] });
    expect(moved).toMatchObject({ caCreated: false, reissued: true, reason: 'sans' });
    expect(moved.ca).toBe(first.ca);
    expect(moved.key).not.toBe(first.key);
    const cert = new X509Certificate(moved.cert);
    expect(cert.verify(new X509Certificate(first.ca).publicKey)).toBe(true);
    expect(cert.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(cert.checkIP('192.168.1.23')).toBeUndefined();
    expect(readFileSync(join(tlsDir(home), TLS_FILES.cert), 'utf8')).toBe(moved.cert);
  });

  it('covers extra names and addresses (a public IP behind NAT) as well as the machine\'s', async () => {
    const home = tempDir();
    const tls = await ensureTls(home, { ...names, also: ['203.0.113.9', 'relay.school.example'] });
    const cert = new X509Certificate(tls.cert);
    expect(cert.checkIP('203.0.113.9')).toBe('203.0.113.9');
    expect(cert.checkHost('relay.school.example')).toBe('relay.school.example');
    expect(cert.checkIP('192.168.1.23')).toBe('192.168.1.23');
    expect((await ensureTls(home, names)).reason).toBe('sans');
  });

  it('does not re-issue when only the spelling or order of the addresses differs', async () => {
    const home = tempDir();
    await ensureTls(home, names);
    const same = await ensureTls(home, { hostnames: ['SCHOOLPC.local', 'schoolpc'], ips: ['FD00:0:0::23', '192.168.1.23'] });
    expect(same.reissued).toBe(false);
  });

  it('re-issues within 30 days of the end, and keeps the CA', async () => {
    const home = tempDir();
    const first = await ensureTls(home, names);
    const late = new Date(first.notAfter.getTime() - 10 * DAY);
    const renewed = await ensureTls(home, { ...names, now: () => late });
    expect(renewed).toMatchObject({ caCreated: false, reissued: true, reason: 'expiry' });
    expect(renewed.ca).toBe(first.ca);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
  });

  it('replaces a CA that is about to run out (after ten years) and says so', async () => {
    const home = tempDir();
    const first = await ensureTls(home, names);
    const decadeLater = new Date(new Date(new X509Certificate(first.ca).validTo).getTime() - 10 * DAY);
    const next = await ensureTls(home, { ...names, now: () => decadeLater });
    expect(next).toMatchObject({ caCreated: true, reissued: true });
    expect(next.ca).not.toBe(first.ca);
    expect(new X509Certificate(next.cert).verify(new X509Certificate(next.ca).publicKey)).toBe(true);
  });

  it('re-issues a damaged server certificate or one whose key is not beside it', async () => {
    const home = tempDir();
    const first = await ensureTls(home, names);
    writeFileSync(join(tlsDir(home), TLS_FILES.cert), 'garbage');
    expect(await ensureTls(home, names)).toMatchObject({ reissued: true, reason: 'invalid' });
    writeFileSync(join(tlsDir(home), TLS_FILES.key), first.key); // an older key: does not match
    const fixed = await ensureTls(home, names);
    expect(fixed).toMatchObject({ reissued: true, reason: 'invalid', ca: first.ca });
    unlinkSync(join(tlsDir(home), TLS_FILES.key));
    expect(await ensureTls(home, names)).toMatchObject({ reissued: true, reason: 'new', ca: first.ca });
  });

  it('refuses to replace a CA whose key is missing (devices trust it), naming the file', async () => {
    const home = tempDir();
    await ensureTls(home, names);
    unlinkSync(join(tlsDir(home), TLS_FILES.caKey));
    const err = await thrown(ensureTls(home, names));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.code).toBe('TLS_CA_BROKEN');
    expect(err.message).toContain(join(tlsDir(home), TLS_FILES.ca));
  });

  it('says the data dir is unwritable when the tls folder cannot be made', async () => {
    const home = tempDir();
    writeFileSync(join(home, 'tls'), 'a file where the folder should be');
    const err = await thrown(ensureTls(home, names));
    expect(err).toMatchObject({ kind: 'environment', code: 'DATA_DIR_UNWRITABLE' });
  });
});

describe('a TLS handshake on loopback', () => {
  async function serve(tls: TlsMaterial): Promise<{ port: number; close: () => Promise<void> }> {
    const server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('succeeds for localhost and 127.0.0.1 trusting only the CA, and fails without it', async () => {
    const tls = await ensureTls(tempDir(), names);
    const server = await serve(tls);
    try {
      expect(await handshake(server.port, { host: '127.0.0.1', servername: 'localhost', ca: tls.ca })).toEqual({ ok: true });
      expect(await handshake(server.port, { host: '127.0.0.1', servername: 'schoolpc', ca: tls.ca })).toEqual({ ok: true });
      expect(await handshake(server.port, { host: '127.0.0.1', ca: tls.ca })).toEqual({ ok: true });
      expect(await handshake(server.port, { host: '127.0.0.1', servername: 'localhost' })).toEqual({ ok: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expect(await handshake(server.port, { host: '127.0.0.1', servername: 'example.com', ca: tls.ca })).toEqual({ ok: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      const otherCa = (await ensureTls(tempDir(), names)).ca;
      expect((await handshake(server.port, { host: '127.0.0.1', servername: 'localhost', ca: otherCa })).ok).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('serves HTTPS to a client that trusts the CA', async () => {
    const tls = await ensureTls(tempDir(), names);
    const server = await serve(tls);
    try {
      const { request } = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/', servername: 'localhost', ca: tls.ca }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('ok');
    } finally {
      await server.close();
    }
  });
});

describe('loadGivenTls (--cert/--key)', () => {
  async function given(): Promise<{ dir: string; certPath: string; keyPath: string; tls: TlsMaterial }> {
    const home = tempDir();
    const tls = await ensureTls(home, names);
    const dir = tlsDir(home);
    return { dir, certPath: join(dir, TLS_FILES.cert), keyPath: join(dir, TLS_FILES.key), tls };
  }

  it('accepts a matching PEM pair and reports what it covers', async () => {
    const g = await given();
    const tls = await loadGivenTls(g.certPath, g.keyPath);
    expect(tls.cert).toBe(g.tls.cert);
    expect(tls.key).toBe(g.tls.key);
    expect(tls.sans).toEqual(g.tls.sans);
    expect(tls.notAfter.getTime()).toBe(g.tls.notAfter.getTime());
  });

  it('names a missing file and which flag it came from', async () => {
    const g = await given();
    const err = await thrown(loadGivenTls(join(g.dir, 'nope.pem'), g.keyPath));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('TLS_FILE_MISSING');
    expect(err.message).toBe(`--cert file not found: ${join(g.dir, 'nope.pem')}`);
    const dirErr = await thrown(loadGivenTls(g.certPath, g.dir));
    expect(dirErr.message).toContain('--key');
  });

  it('refuses files that are not PEM, and suggests the flags were swapped', async () => {
    const g = await given();
    const junk = join(g.dir, 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(await thrown(loadGivenTls(junk, g.keyPath))).toMatchObject({ kind: 'usage', code: 'TLS_NOT_CERT' });
    expect(await thrown(loadGivenTls(g.certPath, junk))).toMatchObject({ kind: 'usage', code: 'TLS_NOT_KEY' });
    const swapped = await thrown(loadGivenTls(g.keyPath, g.certPath));
    expect(swapped.code).toBe('TLS_NOT_CERT');
    expect(swapped.hint).toContain('swap');
    expect(swapped.message).toContain(g.keyPath);
  });

  it('refuses a key of another certificate, an encrypted key and an expired certificate', async () => {
    const g = await given();
    const mismatch = await thrown(loadGivenTls(g.certPath, join(g.dir, TLS_FILES.caKey)));
    expect(mismatch).toMatchObject({ kind: 'usage', code: 'TLS_KEY_MISMATCH' });
    expect(mismatch.message).toContain(g.certPath);

    const encrypted = join(g.dir, 'encrypted.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(encrypted, privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }));
    expect(await thrown(loadGivenTls(g.certPath, encrypted))).toMatchObject({ code: 'TLS_KEY_ENCRYPTED' });

    const later = new Date(g.tls.notAfter.getTime() + DAY);
    expect(await thrown(loadGivenTls(g.certPath, g.keyPath, later))).toMatchObject({ kind: 'usage', code: 'TLS_CERT_EXPIRED' });
  });

  it('reads a full chain (certificate followed by its CA)', async () => {
    const g = await given();
    const chain = join(g.dir, 'fullchain.pem');
    writeFileSync(chain, g.tls.cert + g.tls.ca);
    const tls = await loadGivenTls(chain, g.keyPath);
    expect(tls.sans).toContain('schoolpc');
  });
});
