// `jiaoyan relay ca [--out FILE]`: the relay's CA certificate, which each device installs once so browsers
// trust the relay's HTTPS pages (and allow camera and microphone). Creates the TLS material when missing.
import { resolve } from 'node:path';
import { EnvironmentError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs.js';
import { t } from '../../core/i18n.js';
import { describeCertificate, ensureTls } from '../../server/tls.js';
import type { CliContext } from '../context.js';

interface RelayCaOptions {
  readonly out?: string;
}

export async function run(ctx: CliContext, _args: unknown[], opts: RelayCaOptions): Promise<void> {
  const tls = await ensureTls(ctx.dataDir);
  const ca = describeCertificate(tls.ca);
  let out: string | undefined;
  if (opts.out) {
    out = resolve(opts.out);
    try {
      await writeFileAtomic(out, tls.ca, 0o644);
    } catch (err) {
      throw new EnvironmentError('OUTPUT_UNWRITABLE', { path: out, detail: (err as Error).message }, { cause: err });
    }
  }
  const report = {
    path: tls.caPath,
    fingerprint256: ca.fingerprint256,
    subject: ca.subject,
    notAfter: ca.notAfter,
    sans: tls.sans,
    ...(out ? { out } : {}),
    created: tls.caCreated,
    pem: tls.ca,
  };
  const details = t('ca_details', { subject: ca.subject, fingerprint: ca.fingerprint256, notAfter: ca.notAfter, sans: tls.sans.join(', ') });
  if (out) {
    ctx.out.result(report, () => [t('ca_written', { out }), details, t('ca_install_hint')].join('\n'));
    return;
  }
  // The PEM is the data (stdout, ready for `> ca.pem`); the details are for the person (stderr).
  if (!ctx.out.json) ctx.out.info(details);
  ctx.out.result(report, () => tls.ca.trimEnd());
}
