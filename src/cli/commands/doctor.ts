// `jiaoyan doctor`: is this machine ready? Exit 3 with the fix when something required is missing.
import { access, constants, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { checkMedia, REQUIRED_ENCODERS, REQUIRED_FILTERS } from '../../media/doctor.js';
import type { CliContext } from '../context.js';

interface Problem {
  readonly code: string;
  readonly message: string;
  readonly fix: string;
}

async function dataDirWritable(dir: string): Promise<{ path: string; writable: boolean; error?: string }> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return { path: dir, writable: true };
  } catch (err) {
    return { path: dir, writable: false, error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}

async function relayReachability(dir: string): Promise<{ configured: boolean; url?: string; reachable?: boolean }> {
  let url: string;
  try {
    url = (JSON.parse(await readFile(join(dir, 'relay.json'), 'utf8')) as { url: string }).url;
  } catch {
    return { configured: false }; // no relay has been started from this data dir
  }
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(3000) });
    return { configured: true, url, reachable: res.ok };
  } catch {
    return { configured: true, url, reachable: false };
  }
}

export async function run(ctx: CliContext): Promise<void> {
  const [media, dataDir, relay] = await Promise.all([checkMedia(), dataDirWritable(ctx.dataDir), relayReachability(ctx.dataDir)]);
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  const problems: Problem[] = [];
  const toolFix = t('TOOL_FIX');
  if (nodeMajor < 20) problems.push({ code: 'NODE_TOO_OLD', message: `Node ${process.versions.node} < 20`, fix: 'install Node.js 20 or newer' });
  if (!media.ffmpeg.ok) problems.push({ code: 'TOOL_MISSING', message: media.ffmpeg.error ?? 'ffmpeg', fix: media.ffmpeg.fix ?? toolFix });
  if (!media.ffprobe.ok) problems.push({ code: 'TOOL_MISSING', message: media.ffprobe.error ?? 'ffprobe', fix: media.ffprobe.fix ?? toolFix });
  if (media.ffmpeg.ok) {
    for (const e of REQUIRED_ENCODERS) if (!media.encoders[e]) problems.push({ code: 'ENCODER_MISSING', message: t('ENCODER_MISSING', { encoder: e, what: 'clip' }), fix: toolFix });
    for (const f of REQUIRED_FILTERS) if (!media.filters[f]) problems.push({ code: 'FILTER_MISSING', message: t('FILTER_MISSING', { filter: f, what: 'analyze/compare' }), fix: toolFix });
  }
  if (!dataDir.writable) problems.push({ code: 'DATA_DIR_UNWRITABLE', message: t('DATA_DIR_UNWRITABLE', { path: dataDir.path, detail: dataDir.error ?? '' }), fix: 'set --data-dir or JIAOYAN_HOME' });
  const warnings = media.font.ok ? [] : [{ code: 'FONT_MISSING', message: t('FONT_MISSING') }];
  const report = { ok: problems.length === 0, node: { version: process.versions.node, ok: nodeMajor >= 20 }, ...media, dataDir, relay, problems, warnings };
  ctx.out.result(report, () => {
    const yes = (b: boolean) => (b ? '✓' : '✗');
    const tool = (n: string, r: typeof media.ffmpeg) => r.ok ? `${yes(true)} ${n} ${r.version} (${r.source}) ${r.path}` : `${yes(false)} ${n}: ${r.error}`;
    const lines = [
      `${yes(report.node.ok)} node ${report.node.version}`,
      tool('ffmpeg', media.ffmpeg),
      tool('ffprobe', media.ffprobe),
      `  encoders: ${Object.entries(media.encoders).map(([k, v]) => `${k} ${yes(v)}`).join('  ')}`,
      `  filters:  ${Object.entries(media.filters).map(([k, v]) => `${k} ${yes(v)}`).join('  ')}`,
      media.font.ok ? `${yes(true)} font ${media.font.family ?? ''} ${media.font.path}` : `! ${t('FONT_MISSING')}`,
      `${yes(dataDir.writable)} data dir ${dataDir.path}`,
      relay.configured ? `${yes(!!relay.reachable)} relay ${relay.url}` : `- ${t('doctor_relay_none')}`,
      problems.length ? t('doctor_problems', { count: problems.length }) : t('doctor_ok'),
      ...problems.map((p) => `  ✗ ${p.message}\n    ${t('hint_prefix')}: ${p.fix}`),
    ];
    return lines.join('\n');
  });
  if (problems.length) {
    throw new EnvironmentError('DOCTOR_FAILED', { count: problems.length }, { hint: problems[0]!.fix, reported: true });
  }
}
