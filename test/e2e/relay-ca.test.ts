// `jiaoyan relay ca`: the CA certificate a school installs once per device, from the real binary.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('jiaoyan relay ca', () => {
  it('--out writes the CA certificate (0644), creating the TLS material on first use', async () => {
    const home = tempDir();
    const out = join(tempDir(), 'sub', 'jiaoyan-ca.crt');
    const r = await runCli(['relay', 'ca', '--out', out], { env: { JIAOYAN_HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`CA certificate written to ${out}`);
    const pem = readFileSync(out, 'utf8');
    expect(pem).toBe(readFileSync(join(home, 'tls', 'ca.pem'), 'utf8'));
    expect(statSync(out).mode & 0o777).toBe(0o644);
    const ca = new X509Certificate(pem);
    expect(ca.ca).toBe(true);
    expect(r.stdout).toContain(ca.fingerprint256);
    expect(statSync(join(home, 'tls', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(readFileSync(join(home, 'tls', 'server.pem'))).verify(ca.publicKey)).toBe(true);
  });

  it('--json describes the CA and where it was written; a second run reuses the same CA', async () => {
    const home = tempDir();
    const out = join(home, 'ca.crt');
    const first = await runCli(['relay', 'ca', '--out', out, '--json'], { env: { JIAOYAN_HOME: home } });
    expect(first.code).toBe(0);
    const d = JSON.parse(first.stdout);
    const ca = new X509Certificate(readFileSync(out));
    expect(d).toMatchObject({
      path: join(home, 'tls', 'ca.pem'),
      out,
      fingerprint256: ca.fingerprint256,
      subject: expect.stringContaining('CN=jiaoyan relay CA'),
      notAfter: new Date(ca.validTo).toISOString(),
      created: true,
    });
    expect(d.sans).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1']));

    const again = await runCli(['relay', 'ca', '--json'], { env: { JIAOYAN_HOME: home } });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ fingerprint256: ca.fingerprint256, created: false });
  });

  it('prints the PEM alone on stdout without --out, details on stderr', async () => {
    const home = tempDir();
    const r = await runCli(['relay', 'ca'], { env: { JIAOYAN_HOME: home } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(home, 'tls', 'ca.pem'), 'utf8'));
    expect(r.stderr).toContain('SHA-256');
  });

  it('exits 3 when the data dir cannot hold the TLS folder', async () => {
    const home = tempDir();
    const blocker = join(home, 'file');
    writeFileSync(blocker, 'not a folder');
    const r = await runCli(['relay', 'ca', '--json'], { env: { JIAOYAN_HOME: blocker } });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: 'error', code: 'DATA_DIR_UNWRITABLE' });
  });
});
