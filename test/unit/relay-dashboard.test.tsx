// The relay's terminal dashboard: props → frame for RelayDashboard, store → frames and q → exit for RelayApp.
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { RelaySnapshot } from '../../src/core/dashboard.js';
import { t } from '../../src/core/i18n.js';
import { formatUptime, RelayApp, RelayDashboard, renderRelayDashboard } from '../../src/ui/RelayDashboard.js';
import { SnapshotStore } from '../../src/ui/snapshot-store.js';
import { displayWidth } from '../../src/ui/text-width.js';
import { fakeTerminal, frameWhere, strip } from '../helpers/ink.js';

const en: typeof t = (key, params) => t(key, params, 'en');
const zh: typeof t = (key, params) => t(key, params, 'zh');

/** An ISO instant at a local wall-clock time (the log shows local HH:MM:SS). */
const at = (h: number, m: number, s: number) => new Date(2025, 2, 4, h, m, s).toISOString();

function snapshot(more: Partial<RelaySnapshot> = {}): RelaySnapshot {
  return {
    at: at(9, 0, 0),
    url: 'https://192.168.1.10:8443',
    uptimeSeconds: 93_784,
    peers: 14,
    traffic: { inKbps: 2345.6, outKbps: 8000, inPps: 210, outPps: 700.4 },
    load: { cpuPercent: 7.46, rssMb: 120.4, eventLoopLagMs: 0.42 },
    sessions: [
      { code: '482913', title: '春季教研', kind: 'open-class', peers: 12, mainVenue: '一小' },
      { code: 'X1', title: 'Maths', kind: 'lesson', peers: 2, mainVenue: null },
    ],
    log: Array.from({ length: 10 }, (_, i) => ({ at: at(9, 1, i), text: `event ${i + 1}` })),
    ...more,
  };
}


function frameOf(element: ReactElement): string[] {
  const app = render(element);
  const frame = app.lastFrame();
  app.unmount();
  return strip(frame ?? '').split('\n');
}


describe('the relay dashboard', () => {
  it('shows address, uptime, traffic and load', () => {
    const lines = frameOf(<RelayDashboard snapshot={snapshot()} t={en} />);
    expect(lines.slice(0, 3)).toEqual([
      'jiaoyan relay · https://192.168.1.10:8443 · up 1d 2:03:04',
      'Peers 14 · in 2346 kbit/s (210 pkt/s) · out 8000 kbit/s (700 pkt/s)',
      'CPU 7.5% · RSS 120 MB · loop lag 0.4 ms',
    ]);
  });

  it('tabulates the sessions with – for no main venue, Chinese titles lined up', () => {
    const lines = frameOf(<RelayDashboard snapshot={snapshot()} t={en} />);
    const from = lines.indexOf('Sessions (2)');
    expect(lines.slice(from + 1, from + 4)).toEqual([
      '  code      title                    kind         peers main venue',
      '  482913    春季教研                 open-class      12 一小',
      '  X1        Maths                    lesson           2 –',
    ]);
    const zhLines = frameOf(<RelayDashboard snapshot={snapshot()} t={zh} />);
    const column = (line: string, needle: string) => displayWidth(line.slice(0, line.indexOf(needle)));
    const header = zhLines.find((l) => l.includes('会议码'))!;
    const chinese = zhLines.find((l) => l.includes('春季教研'))!;
    const ascii = zhLines.find((l) => l.includes('Maths'))!;
    expect(column(chinese, 'open-class')).toBe(column(ascii, 'lesson'));
    expect(column(chinese, 'open-class')).toBe(column(header, '类型'));
    expect(column(chinese, '一小')).toBe(column(ascii, '–'));
    expect(zhLines).toContain('会议（2）');
    expect(frameOf(<RelayDashboard snapshot={snapshot({ sessions: [] })} t={en} />)).toContain('  no sessions');
  });

  it('shows the last eight log lines with their times', () => {
    const lines = frameOf(<RelayDashboard snapshot={snapshot()} t={en} />);
    const from = lines.indexOf('Log');
    expect(lines.slice(from + 1)).toEqual([
      '  09:01:02 event 3',
      '  09:01:03 event 4',
      '  09:01:04 event 5',
      '  09:01:05 event 6',
      '  09:01:06 event 7',
      '  09:01:07 event 8',
      '  09:01:08 event 9',
      '  09:01:09 event 10',
      'q quit',
    ]);
    expect(frameOf(<RelayDashboard snapshot={snapshot({ log: [] })} t={zh} />).slice(-3)).toEqual(['日志', '  暂无', 'q 退出']);
  });

  it('keeps every line within the width', () => {
    const long = '非常长的会议标题'.repeat(8);
    const s = snapshot({
      url: `https://${'a'.repeat(90)}.local:8443`,
      sessions: [{ code: 'ABCDEFGHIJKLMNOP', title: long, kind: long, peers: 123_456_789, mainVenue: long }],
      log: [{ at: at(9, 0, 0), text: `${long}\n${long}` }],
    });
    for (const [tr, width] of [[en, 80], [zh, 80], [en, 40]] as const) {
      const lines = frameOf(<RelayDashboard snapshot={s} t={tr} width={width} />);
      for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      expect(lines[0]).toMatch(/…$/); // cut, not wrapped or dropped
      expect(lines[lines.indexOf(tr('dash_log')) + 1]).toMatch(/^  09:00:00 非常长.*…$/);
    }
  });

  it('formats uptimes', () => {
    expect(formatUptime(42)).toBe('0:42');
    expect(formatUptime(3723)).toBe('1:02:03');
    expect(formatUptime(86_400 * 3 + 61)).toBe('3d 0:01:01');
  });
});

describe('the snapshot store', () => {
  it('keeps the latest value and tells subscribers until they unsubscribe', () => {
    const store = new SnapshotStore<number>();
    expect(store.getSnapshot()).toBeUndefined();
    const seen: (number | undefined)[] = [];
    const { subscribe, getSnapshot } = store; // bound: usable as passed to useSyncExternalStore
    const off = subscribe(() => seen.push(getSnapshot()));
    store.set(1);
    store.set(2);
    off();
    store.set(3);
    expect(seen).toEqual([1, 2]);
    expect(store.getSnapshot()).toBe(3);
    expect(new SnapshotStore('x').getSnapshot()).toBe('x');
  });
});

describe('the relay app', () => {
  it('waits for the first snapshot, then follows the store', async () => {
    const store = new SnapshotStore<RelaySnapshot>();
    const app = render(<RelayApp store={store} t={en} />);
    await frameWhere(app, (f) => f.includes('Waiting for the relay…'));
    store.set(snapshot());
    await frameWhere(app, (f) => f.includes('Peers 14 ·'));
    store.set(snapshot({ peers: 15, log: [...snapshot().log, { at: at(9, 2, 0), text: 'Ms Li joined 482913' }] }));
    const frame = await frameWhere(app, (f) => f.includes('Peers 15 ·'));
    expect(frame).toContain('  09:02:00 Ms Li joined 482913');
    app.unmount();
  });

  it('quits on q', async () => {
    const { stdout, stdin } = fakeTerminal();
    const view = renderRelayDashboard(new SnapshotStore(snapshot()), { t: en, stdout, stdin });
    while (stdin.listenerCount('readable') === 0) await new Promise((r) => setImmediate(r));
    stdin.write('x');
    stdin.write('q');
    await view.exited;
    expect(strip(stdout.output())).toContain('jiaoyan relay · https://192.168.1.10:8443');
  });
});

