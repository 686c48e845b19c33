// The non-interactive renderers of a clip batch: NDJSON events on stdout (--json), or plain lines —
// results on stdout, progress and problems on stderr. The Ink view (src/ui/BatchApp.tsx) is the third.
import type { BatchEventSource, BatchSummary } from '../core/batch-events.js';
import { t } from '../core/i18n.js';
import { formatTime } from '../core/time.js';
import type { Output } from './output.js';

export function summaryText(s: BatchSummary): string {
  const line = t('batch_line_summary', { done: s.done, skipped: s.skipped, failed: s.failed, total: s.total, elapsed: s.elapsed.toFixed(1) });
  return s.interrupted ? `${line}\n${t('batch_line_interrupted', { remaining: s.remaining })}` : line;
}

export interface StreamReportOptions {
  /** Plain text: also print start lines and errors on stderr (false when the Ink view shows them). */
  readonly diagnostics?: boolean;
}

/** Subscribe the NDJSON / plain-text renderer to a batch; returns the unsubscribe function. */
export function reportBatchStream(source: BatchEventSource, out: Output, opts: StreamReportOptions = {}): () => void {
  const diagnostics = opts.diagnostics ?? true;
  const offs: (() => void)[] = [];
  const on: BatchEventSource['on'] = (event, listener) => {
    source.on(event, listener);
    offs.push(() => source.off(event, listener));
    return source;
  };
  on('start', (e) => {
    if (out.json) out.event({ event: 'start', row: e.row, input: e.input, output: e.output, from: e.from, to: e.to });
    else if (diagnostics) out.info(t('batch_line_start', { row: e.row, input: e.input, from: formatTime(e.from), to: formatTime(e.to), output: e.output }));
  });
  on('progress', (e) => {
    if (out.json) out.event({ event: 'progress', row: e.row, percent: e.percent });
  });
  on('done', (e) => {
    out.event({ event: 'done', ...e }, () => t('batch_line_done', { row: e.row, output: e.output, duration: e.duration.toFixed(3), frames: e.frames }));
  });
  on('skipped', (e) => {
    out.event({ event: 'skipped', ...e }, () => t('batch_line_skipped', { row: e.row, output: e.output }));
  });
  on('error', (e) => {
    if (out.json) out.event({ event: 'error', row: e.row, code: e.code, message: e.message });
    else if (diagnostics) out.info(t('batch_line_error', { row: e.row, message: e.message }));
  });
  on('summary', (s) => {
    out.event({ event: 'summary', ...s }, () => summaryText(s));
  });
  return () => offs.forEach((off) => off());
}
