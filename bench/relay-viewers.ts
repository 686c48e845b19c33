// A viewer worker process (forked by bench/relay.ts): holds some of the benchmark's viewers and answers the
// parent over IPC — start → connected, media → ready (every viewer receives audio and video), mark → (window
// starts), report → counts + latency samples, stop → exit.
import { BenchViewer, type ViewerOptions, type ViewerReport } from './relay-viewer.js';

export type ToWorker =
  | { readonly type: 'start'; readonly viewers: readonly ViewerOptions[]; readonly batch: number }
  | { readonly type: 'media' }
  | { readonly type: 'mark' }
  | { readonly type: 'report' }
  | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'connected'; readonly joinMs: number; readonly retries: readonly string[] }
  | { readonly type: 'ready' }
  | { readonly type: 'report'; readonly viewers: readonly ViewerReport[]; readonly cpuMs: number; readonly wallMs: number }
  | { readonly type: 'failed'; readonly error: string };

const viewers: BenchViewer[] = [];
let cpuAtMark = process.cpuUsage();
let wallAtMark = performance.now();

function tell(m: FromWorker): void {
  process.send?.(m);
}

const retries: string[] = [];

const TRIES = 3;

/** Connect one viewer; a viewer whose connection fails gets two more tries (each failure is reported). */
async function connect(o: ViewerOptions): Promise<BenchViewer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await BenchViewer.connect(o);
    } catch (err) {
      if (attempt === TRIES) throw err;
      retries.push(err instanceof Error ? err.message : String(err));
    }
  }
}

async function start(list: readonly ViewerOptions[], batch: number): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < list.length; i += batch) {
    viewers.push(...(await Promise.all(list.slice(i, i + batch).map(connect))));
  }
  tell({ type: 'connected', joinMs: performance.now() - t0, retries });
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    start(m.viewers, m.batch).catch((err: unknown) => tell({ type: 'failed', error: err instanceof Error ? err.message : String(err) }));
  } else if (m.type === 'media') {
    Promise.all(viewers.map((v) => v.media())).then(
      () => tell({ type: 'ready' }),
      (err: unknown) => tell({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.type === 'mark') {
    for (const v of viewers) v.mark();
    cpuAtMark = process.cpuUsage();
    wallAtMark = performance.now();
  } else if (m.type === 'report') {
    const cpu = process.cpuUsage(cpuAtMark);
    tell({ type: 'report', viewers: viewers.map((v) => v.report()), cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wallAtMark });
  } else {
    Promise.all(viewers.map((v) => v.close()))
      .catch((err: unknown) => console.error('closing viewers:', err))
      .finally(() => process.exit(0));
  }
});

process.on('disconnect', () => process.exit(0));
