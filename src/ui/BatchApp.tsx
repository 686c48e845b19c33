// Root of the live batch view: reads the store, prints finished rows once (Static), and owns exit().
import { useEffect, useSyncExternalStore } from 'react';
import { Box, render, Static, Text, useApp } from 'ink';
import type { BatchEventSource, BatchSummary } from '../core/batch-events.js';
import { BatchViewStore } from './batch-store.js';
import { BatchProgress, FinishedLine, type Translate } from './BatchProgress.js';

export interface SummaryProps {
  readonly summary: BatchSummary;
  readonly t: Translate;
}

export function BatchSummaryLines({ summary, t }: SummaryProps) {
  return (
    <Box flexDirection="column">
      <Text bold>{t('batch_line_summary', { done: summary.done, skipped: summary.skipped, failed: summary.failed, total: summary.total, elapsed: summary.elapsed.toFixed(1) })}</Text>
      {summary.interrupted ? <Text color="yellow">{t('batch_line_interrupted', { remaining: summary.remaining })}</Text> : null}
    </Box>
  );
}

export interface BatchAppProps {
  readonly store: BatchViewStore;
  readonly t: Translate;
  /** How often the ETA is recomputed between events, ms. */
  readonly tickMs?: number;
}

export function BatchApp({ store, t, tickMs = 1000 }: BatchAppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { exit } = useApp();
  useEffect(() => {
    if (state.summary) exit();
  }, [state.summary, exit]);
  useEffect(() => {
    const timer = setInterval(() => store.tick(), tickMs);
    return () => clearInterval(timer);
  }, [store, tickMs]);
  return (
    <>
      <Static items={state.finished.map((item) => ({ item, key: `${item.kind}:${item.row}` }))}>
        {({ item, key }) => <FinishedLine key={key} item={item} t={t} />}
      </Static>
      {state.summary ? (
        <BatchSummaryLines summary={state.summary} t={t} />
      ) : (
        <BatchProgress running={state.running} counts={state.counts} overall={state.overall} t={t} {...(state.etaSeconds !== undefined ? { etaSeconds: state.etaSeconds } : {})} />
      )}
    </>
  );
}

export interface BatchView {
  /** Resolves once the view has shown the summary and exited. */
  readonly exited: Promise<void>;
  /** Stop early (the batch crashed before its summary). */
  unmount(): void;
}

/** Show the live view of `source` on `stream` (stderr: stdout stays for data) until its summary. */
export function renderBatchProgress(source: BatchEventSource, opts: { stream: NodeJS.WriteStream; t: Translate }): BatchView {
  const store = new BatchViewStore(source);
  const app = render(<BatchApp store={store} t={opts.t} />, {
    stdout: opts.stream,
    stderr: opts.stream,
    exitOnCtrlC: false, // main turns Ctrl-C into an abort; the view ends with the interrupted summary
    patchConsole: false,
  });
  const exited = app.waitUntilExit().then(
    () => store.close(),
    (err: unknown) => {
      store.close();
      throw err;
    },
  );
  return { exited, unmount: () => app.unmount() };
}
