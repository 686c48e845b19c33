// The live view of a clip batch: one line per running job with a bar, an overall bar with ETA, the counts.
// Pure: props → frame. Text comes through the `t` prop (the CLI passes the catalogue's), so ui needs no runtime core.
import { Box, Text } from 'ink';
import type { t as translate } from '../core/i18n.js';
import type { BatchCounts, FinishedRow, RunningJob } from './batch-store.js';
import { displayWidth, padTo } from './text-width.js';

export { displayWidth } from './text-width.js';

export type Translate = typeof translate;

/** `██████░░░░` for a percentage. */
export function bar(percent: number, width: number): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** `0:42`, `12:05`, `1:02:09` */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const pct = (p: number) => `${Math.floor(p)}%`.padStart(4);

/** The last path element: the live view is narrow, full paths are in the finished lines. */
const fileName = (path: string) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

export interface BatchProgressProps {
  readonly running: readonly RunningJob[];
  readonly counts: BatchCounts;
  readonly overall: number;
  readonly etaSeconds?: number;
  readonly t: Translate;
  readonly barWidth?: number;
}

export function BatchProgress({ running, counts, overall, etaSeconds, t, barWidth = 24 }: BatchProgressProps) {
  const labels = running.map((j) => t('batch_ui_row', { row: j.row }));
  const overallLabel = t('batch_ui_overall');
  const width = Math.max(displayWidth(overallLabel), ...labels.map(displayWidth));
  return (
    <Box flexDirection="column">
      {running.map((job, i) => (
        <Text key={job.row} wrap="truncate-end">
          {padTo(labels[i]!, width)} <Text color="cyan">{bar(job.percent, barWidth)}</Text>{pct(job.percent)}  {fileName(job.output)}
        </Text>
      ))}
      <Text wrap="truncate-end">
        <Text bold>{padTo(overallLabel, width)}</Text> <Text color="green">{bar(overall, barWidth)}</Text>{pct(overall)}  {etaSeconds === undefined ? t('batch_ui_eta_unknown') : t('batch_ui_eta', { eta: formatEta(etaSeconds) })}
      </Text>
      <Text dimColor>{t('batch_ui_counts', { ...counts })}</Text>
    </Box>
  );
}

export interface FinishedLineProps {
  readonly item: FinishedRow;
  readonly t: Translate;
}

/** One finished row, printed once above the live lines. */
export function FinishedLine({ item, t }: FinishedLineProps) {
  if (item.kind === 'done') {
    return <Text color="green">{t('batch_line_done', { row: item.row, output: item.output, duration: item.duration.toFixed(3), frames: item.frames })}</Text>;
  }
  if (item.kind === 'skipped') return <Text dimColor>{t('batch_line_skipped', { row: item.row, output: item.output })}</Text>;
  return <Text color="red">{t('batch_line_error', { row: item.row, message: item.message })}</Text>;
}
