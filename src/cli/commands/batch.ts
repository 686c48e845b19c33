// `jiaoyan clip batch <manifest> [--jobs N] [--out-dir DIR] [--mode] [--preset]`: flags → ClipBatch, with the
// clip catalogue as its ledger (resume + tags) and one renderer per output kind subscribed to its events.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { BatchSummary } from '../../core/batch-events.js';
import { AbortedError, RuntimeError, UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { ClipBatch } from '../../media/batch.js';
import { readManifest } from '../../media/manifest.js';
import { defaultOutDir } from '../../media/output-names.js';
import { DEFAULT_ENCODE_PRESET, encodePreset } from '../../media/presets.js';
import { ClipCatalogue } from '../../store/clip-catalogue.js';
import { CatalogueLedger } from '../clip-ledger.js';
import { reportBatchStream } from '../batch-report.js';
import type { CliContext } from '../context.js';
import { parseMode } from './clip.js';

export function parseJobs(value: unknown): number {
  if (value === undefined) return Math.max(1, availableParallelism());
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError('BAD_NUMBER', { flag: '--jobs', what: t('batch_jobs_what'), value: text });
  }
  return n;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const manifest = await readManifest(String(args[0]));
  const mode = parseMode(opts.mode);
  const presetName = typeof opts.preset === 'string' ? opts.preset : DEFAULT_ENCODE_PRESET;
  const preset = await encodePreset(ctx.dataDir, presetName);
  const jobs = parseJobs(opts.jobs);
  const outDir = typeof opts.outDir === 'string' ? resolve(opts.outDir) : defaultOutDir(manifest.path);
  const batch = new ClipBatch({
    rows: manifest.rows, outDir, mode, preset, jobs, signal: ctx.signal,
    ledger: new CatalogueLedger(new ClipCatalogue(ctx.dataDir), mode, presetName),
  });

  const live = ctx.out.tty && !ctx.out.json;
  const view = live ? (await import('../../ui/BatchApp.js')).renderBatchProgress(batch, { stream: process.stderr, t }) : undefined;
  // With the live view on stderr, results still reach stdout when it is redirected to a file or a pipe.
  const unsubscribe = !live || !process.stdout.isTTY ? reportBatchStream(batch, ctx.out, { diagnostics: !live }) : () => undefined;
  let summary: BatchSummary | undefined;
  try {
    summary = await batch.run();
  } finally {
    unsubscribe();
    if (view && !summary) view.unmount();
  }
  await view?.exited;
  if (summary.interrupted) {
    const err = new AbortedError();
    err.reported = true; // the summary said so; main only sets exit 130
    throw err;
  }
  if (summary.failed > 0) {
    throw new RuntimeError('BATCH_FAILED', { failed: summary.failed, total: summary.total }, { reported: true });
  }
}
