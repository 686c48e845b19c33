// The live batch view: props → frame for the component, events → state for the store, exit on summary.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { BatchEvents } from '../../src/core/batch-events.js';
import { TypedEmitter } from '../../src/core/emitter.js';
import { t } from '../../src/core/i18n.js';
import { BatchApp } from '../../src/ui/BatchApp.js';
import { bar, BatchProgress, displayWidth, formatEta } from '../../src/ui/BatchProgress.js';
import { BatchViewStore } from '../../src/ui/batch-store.js';

const en: typeof t = (key, params) => t(key, params, 'en');
const zh: typeof t = (key, params) => t(key, params, 'zh');

describe('the batch progress view', () => {
  it('shows one line per running job with its bar and file name, an overall bar with ETA, and the counts', () => {
    const { lastFrame } = render(
      <BatchProgress
        t={en}
        barWidth={10}
        running={[{ row: 2, output: '/out/002_张老师_导入.mp4', percent: 50 }, { row: 11, output: '/out/011_x.mp4', percent: 0 }]}
        overall={30}
        etaSeconds={75}
        counts={{ done: 1, skipped: 2, failed: 1, total: 8 }}
      />,
    );
    const lines = lastFrame()!.split('\n');
    expect(lines[0]).toBe('row 2   █████░░░░░ 50%  002_张老师_导入.mp4');
    expect(lines[1]).toBe('row 11  ░░░░░░░░░░  0%  011_x.mp4');
    expect(lines[2]).toBe('overall ███░░░░░░░ 30%  ETA 1:15');
    expect(lines[3]).toBe('1 done · 2 skipped · 1 failed · 8 total');
  });

  it('says the ETA is not known yet before any progress, and lines up Chinese labels', () => {
    const { lastFrame } = render(
      <BatchProgress t={zh} barWidth={4} running={[{ row: 3, output: '/o/a.mp4', percent: 100 }]} overall={0} counts={{ done: 0, skipped: 0, failed: 0, total: 1 }} />,
    );
    const lines = lastFrame()!.split('\n');
    expect(lines[0]).toBe('第 3 行 ████100%  a.mp4');
    expect(lines[1]).toBe('总进度  ░░░░  0%  预计剩余 …'); // 6 columns padded to the 7 of 第 3 行
  });

  it('draws bars, ETAs and widths', () => {
    expect(bar(0, 4)).toBe('░░░░');
    expect(bar(62.5, 8)).toBe('█████░░░');
    expect(bar(140, 3)).toBe('███');
    expect(formatEta(59.6)).toBe('1:00');
    expect(formatEta(3723)).toBe('1:02:03');
    expect(displayWidth('第 3 行')).toBe(7);
  });
});

function feed() {
  const source = new TypedEmitter<BatchEvents>();
  let now = 0;
  const store = new BatchViewStore(source, () => now);
  return { source, store, advance: (ms: number) => (now += ms) };
}

describe('the batch view store', () => {
  it('folds events into running jobs, finished rows, counts, overall progress and ETA', () => {
    const { source, store, advance } = feed();
    source.safeEmit('plan', { total: 4, jobs: [{ row: 2, seconds: 10 }, { row: 3, seconds: 30 }, { row: 5, seconds: 60 }] });
    source.safeEmit('error', { row: 4, code: 'BAD_TIME', message: 'cannot read time' });
    source.safeEmit('skipped', { row: 5, output: '/o/5.mp4', reason: 'already-done' });
    source.safeEmit('start', { row: 2, input: '/i.mp4', output: '/o/2.mp4', from: 0, to: 10 });
    source.safeEmit('start', { row: 3, input: '/i.mp4', output: '/o/3.mp4', from: 10, to: 40 });
    expect(store.getSnapshot().etaSeconds).toBeUndefined();
    advance(4000);
    source.safeEmit('progress', { row: 3, percent: 50 });
    source.safeEmit('done', { row: 2, output: '/o/2.mp4', actual: { from: 0, to: 10 }, duration: 10, frames: 300 });
    const s = store.getSnapshot();
    expect(s.running).toEqual([{ row: 3, output: '/o/3.mp4', percent: 50 }]);
    expect(s.finished.map((f) => `${f.kind}:${f.row}`)).toEqual(['error:4', 'skipped:5', 'done:2']);
    expect(s.counts).toEqual({ done: 1, skipped: 1, failed: 1, total: 4 });
    expect(s.overall).toBeCloseTo(62.5); // (10 + 15) of the 40 s still to cut
    expect(s.etaSeconds).toBeCloseTo(2.4); // 25 s of media in 4 s: 15 s left takes 2.4 s
  });

  it('drops a failed job from the work still to do and completes on the summary', () => {
    const { source, store } = feed();
    source.safeEmit('plan', { total: 2, jobs: [{ row: 2, seconds: 10 }, { row: 3, seconds: 10 }] });
    source.safeEmit('start', { row: 2, input: '/i.mp4', output: '/o/2.mp4', from: 0, to: 10 });
    source.safeEmit('error', { row: 2, code: 'FFMPEG_FAILED', message: 'ffmpeg failed' });
    expect(store.getSnapshot().running).toEqual([]);
    source.safeEmit('summary', { done: 1, skipped: 0, failed: 1, total: 2, remaining: 0, interrupted: false, elapsed: 1 });
    expect(store.getSnapshot()).toMatchObject({ overall: 100, etaSeconds: 0, summary: { done: 1 } });
  });

  it('stops listening when closed', () => {
    const { source, store } = feed();
    let changes = 0;
    store.subscribe(() => changes++);
    store.close();
    source.safeEmit('plan', { total: 1, jobs: [] });
    expect(changes).toBe(0);
    expect(store.getSnapshot().counts.total).toBe(0);
  });
});

/**
 * Resolve with the newest rendered frame that satisfies `check` (React commits store updates asynchronously).
 * Not just the last frame: under CI=1 ink writes one more bare frame when the app exits.
 */
async function frameWhere(app: ReturnType<typeof render>, check: (frame: string) => boolean): Promise<string> {
  for (;;) {
    const frame = app.frames.findLast(check);
    if (frame !== undefined) return frame;
    await new Promise((r) => setImmediate(r));
  }
}

describe('the batch view root', () => {
  it('prints finished rows once, updates the live lines, and exits after showing the summary', async () => {
    const { source, store } = feed();
    const app = render(<BatchApp store={store} t={en} />);
    source.safeEmit('plan', { total: 2, jobs: [{ row: 2, seconds: 5 }] });
    source.safeEmit('error', { row: 3, code: 'INPUT_MISSING', message: 'input file not found: /v/b.mp4' });
    source.safeEmit('start', { row: 2, input: '/v/a.mp4', output: '/o/002_导入.mp4', from: 0, to: 5 });
    source.safeEmit('progress', { row: 2, percent: 40 });
    const live = await frameWhere(app, (f) => f.includes('40%'));
    expect(live).toContain('✗ row 3: input file not found: /v/b.mp4');
    expect(live).toMatch(/row 2 +█+░+ 40%  002_导入\.mp4/);
    source.safeEmit('done', { row: 2, output: '/o/002_导入.mp4', actual: { from: 0, to: 5 }, duration: 5, frames: 150 });
    source.safeEmit('summary', { done: 1, skipped: 0, failed: 1, total: 2, remaining: 0, interrupted: false, elapsed: 2.04 });
    const last = await frameWhere(app, (f) => f.includes('1 done, 0 skipped, 1 failed of 2 (2.0 s)'));
    expect(app.frames.join('\n')).toContain('✓ row 2: /o/002_导入.mp4 (5.000 s, 150 frames)');
    expect(last).not.toContain('overall');
    app.unmount();
  });
});
