// The `jiaoyan status` dashboard: props → frame for SessionDashboard, keys → controls for StatusApp.
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DashboardParticipant, SessionControls, SessionSnapshot } from '../../src/core/dashboard.js';
import { t } from '../../src/core/i18n.js';
import { SessionDashboard } from '../../src/ui/SessionDashboard.js';
import { renderStatusApp, StatusApp } from '../../src/ui/StatusApp.js';
import { SnapshotStore } from '../../src/ui/snapshot-store.js';
import { displayWidth, fit, truncate } from '../../src/ui/text-width.js';
import { fakeTerminal, frameWhere, strip } from '../helpers/ink.js';

const en: typeof t = (key, params) => t(key, params, 'en');
const zh: typeof t = (key, params) => t(key, params, 'zh');

/** An ISO instant at a local wall-clock time (the dashboard shows local HH:MM). */
const at = (h: number, m: number) => new Date(2025, 2, 4, h, m, 7).toISOString();

function person(peerId: string, name: string, venue: string, more: Partial<DashboardParticipant> = {}): DashboardParticipant {
  return { peerId, name, venue, role: 'viewer', seat: false, publishing: false, hand: false, muted: { audio: false, video: false }, ...more };
}

const ZHANG = person('p-zhang', '张老师', '一小', { role: 'host', seat: true, publishing: true, inKbps: 512.4, outKbps: 1300, loss: 0.012, rttMs: 48.4, level: 0.6 });
const LI = person('p-li', 'Ms Li', 'Rivers', { role: 'speaker', seat: true, publishing: true, hand: true, muted: { audio: true, video: false }, inKbps: null, level: 0 });
const WANG = person('p-wang', '王同学', '二小', { muted: { audio: true, video: true }, layer: 'audio', estimateKbps: 62.4 });
const ZHAO = person('p-zhao', 'Zhao', 'Hills', { layer: 'm', estimateKbps: 12_345 });

function snapshot(more: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    at: at(9, 0),
    code: '482913',
    title: '春季教研',
    kind: 'open-class',
    rundown: { steps: [{ venue: '一小', label: '导入' }, { venue: '三小', label: '第一节' }, { venue: '二小', label: '评课' }], current: 1 },
    mainVenue: '一小',
    pendingVenue: '三小',
    seats: { total: 4, taken: 2 },
    recording: true,
    participants: [ZHANG, LI, WANG],
    viewersByVenue: [{ venue: '二小', count: 12 }, { venue: '一小', count: 3 }],
    chat: [{ from: '张老师', venue: '一小', text: '大家好', at: at(9, 5) }],
    relay: { cpuPercent: 12.34, rssMb: 85.2, eventLoopLagMs: 1.52 },
    host: true,
    ...more,
  };
}

const linesOf = (frame: string | undefined) => strip(frame ?? '').split('\n');

/** The lines of one static render of `element`. */
function frameOf(element: ReactElement): string[] {
  const app = render(element);
  const frame = app.lastFrame();
  app.unmount();
  return linesOf(frame);
}
/** Display column where `needle` starts in `line`. */
const columnOf = (line: string, needle: string) => displayWidth(line.slice(0, line.indexOf(needle)));
const lineWith = (lines: string[], needle: string) => lines.find((l) => l.includes(needle)) ?? '';

type App = ReturnType<typeof render>;


/** Resolve once ink listens to stdin (useInput's effects have run). */
async function inputReady(app: App): Promise<void> {
  while (app.stdin.listenerCount('readable') === 0) await new Promise((r) => setImmediate(r));
}

/** Type `keys` and wait for the first frame after them that satisfies `check`. */
async function press(app: App, keys: string, check: (frame: string) => boolean): Promise<string> {
  const from = app.frames.length;
  app.stdin.write(keys);
  return frameWhere(app, check, from);
}

const DOWN = '\u001B[B';
const UP = '\u001B[A';
const ENTER = '\r';
const ESC = '\u001B';

/** Controls that record each call; `refuse` names the ones that reject, with their message. */
function recorder(refuse: Partial<Record<keyof SessionControls, string>> = {}) {
  const calls: string[] = [];
  const act = (name: keyof SessionControls, call: string) => {
    calls.push(call);
    const message = refuse[name];
    return message === undefined ? Promise.resolve() : Promise.reject(new Error(message));
  };
  const controls: SessionControls = {
    pushVenue: (venue) => act('pushVenue', `pushVenue ${venue}`),
    nextStep: () => act('nextStep', 'nextStep'),
    grantSeat: (peerId) => act('grantSeat', `grantSeat ${peerId}`),
    revokeSeat: (peerId) => act('revokeSeat', `revokeSeat ${peerId}`),
    mute: (peerId, kind) => act('mute', `mute ${peerId} ${kind}`),
    record: (on) => act('record', `record ${on}`),
  };
  return { calls, controls };
}

describe('text widths', () => {
  it('counts CJK and the raised hand as two columns and cuts by columns', () => {
    expect(displayWidth('第 3 行')).toBe(7);
    expect(displayWidth('✋')).toBe(2);
    expect(displayWidth('▶ ·–…')).toBe(5);
    expect(truncate('欧阳娜娜老师', 7)).toBe('欧阳娜…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(fit('王同学', 8)).toBe('王同学  ');
    expect(fit('欧阳娜娜老师', 8)).toBe('欧阳娜… ');
  });
});

describe('the session dashboard', () => {
  it('shows title, state line and the rundown with the current step marked', () => {
    const lines = frameOf(<SessionDashboard snapshot={snapshot()} t={en} />);
    expect(lines[0]).toBe('春季教研 · open-class · code 482913');
    expect(lines[1]).toBe('Main venue: 一小 (switching to 三小…) · Seats 2/4 · ● recording');
    expect(lines.slice(2, 6)).toEqual(['Rundown', '  1. 一小 · 导入', '▶ 2. 三小 · 第一节', '  3. 二小 · 评课']);
  });

  it('shows the settled main venue without a switch, and the unknown venue as –', () => {
    const settled = frameOf(<SessionDashboard snapshot={snapshot({ pendingVenue: null, recording: false })} t={en} />);
    expect(settled[1]).toBe('Main venue: 一小 · Seats 2/4 · not recording');
    const none = frameOf(<SessionDashboard snapshot={snapshot({ mainVenue: null, pendingVenue: null, rundown: { steps: [], current: null } })} t={zh} />);
    expect(none[1]).toBe('主会场：– · 席位 2/4 · ● 录制中');
    expect(none.slice(2, 4)).toEqual(['流程', '  未设流程']);
    const switching = frameOf(<SessionDashboard snapshot={snapshot()} t={zh} />);
    expect(switching[1]).toBe('主会场：一小（正在切换到 三小…） · 席位 2/4 · ● 录制中');
  });

  it('tabulates participants: role, mic/cam markers, level bar, raised hand, downlink layer and estimate, and – for unknown figures', () => {
    const lines = frameOf(<SessionDashboard snapshot={snapshot({ participants: [ZHANG, LI, WANG, ZHAO] })} t={en} selected={1} />);
    expect(lineWith(lines, 'Participants')).toBe('Participants (4) · in/out kbit/s · RTT ms · down: layer + estimate');
    expect(lineWith(lines, 'name')).toBe('  name       venue    role mic  cam  level hand    in   out   loss   RTT    down');
    expect(lineWith(lines, '张老师  ')).toBe('  张老师     一小     host on   on   ███░░        512  1300   1.2%    48       –');
    expect(lineWith(lines, 'Ms Li')).toBe('▸ Ms Li      Rivers   seat off  on   ░░░░░ ✋       –     –      –     –       –');
    expect(lineWith(lines, '王同学')).toBe('  王同学     二小                                   –     –      –     –  aud 62');
    expect(lineWith(lines, 'Zhao')).toBe('  Zhao       Hills                                  –     –      –     –   m 12M');
    expect(lineWith(frameOf(<SessionDashboard snapshot={snapshot({ participants: [WANG] })} t={zh} />), '王同学').endsWith('   音 62')).toBe(true);
  });

  it('lines up the columns after Chinese names with those after ASCII names', () => {
    const lines = frameOf(<SessionDashboard snapshot={snapshot()} t={zh} />);
    const header = lineWith(lines, '名字');
    const zhang = lineWith(lines, '张老师  ');
    const li = lineWith(lines, 'Ms Li');
    expect(columnOf(zhang, '一小')).toBe(columnOf(li, 'Rivers'));
    expect(columnOf(zhang, '一小')).toBe(columnOf(header, '学校'));
    expect(columnOf(zhang, '主持')).toBe(columnOf(li, '席位'));
    expect(columnOf(zhang, '开')).toBe(columnOf(li, '关'));
    expect(displayWidth(zhang)).toBe(displayWidth(li));
    expect(displayWidth(zhang)).toBe(displayWidth(header));
  });

  it('shows viewers per venue, the last five chat lines and the relay load', () => {
    const chat = [1, 2, 3, 4, 5, 6, 7].map((i) => ({ from: i % 2 ? '张老师' : 'Ms Li', venue: i % 2 ? '一小' : 'Rivers', text: `line ${i}`, at: at(9, i) }));
    const lines = frameOf(<SessionDashboard snapshot={snapshot({ chat })} t={en} />);
    expect(lines).toContain('Viewers: 二小 12 · 一小 3');
    const from = lines.indexOf('Discussion');
    expect(lines.slice(from + 1, from + 6)).toEqual([
      '  09:03 张老师@一小: line 3',
      '  09:04 Ms Li@Rivers: line 4',
      '  09:05 张老师@一小: line 5',
      '  09:06 Ms Li@Rivers: line 6',
      '  09:07 张老师@一小: line 7',
    ]);
    expect(lines.join('\n')).not.toContain('line 2');
    expect(lines).toContain('Relay: CPU 12% · RSS 85 MB · loop lag 1.5 ms');
    const quiet = frameOf(<SessionDashboard snapshot={snapshot({ chat: [], viewersByVenue: [], relay: null })} t={en} />);
    expect(quiet).toContain('Viewers: none');
    expect(quiet).toContain('  no messages yet');
    expect(quiet.join('\n')).not.toContain('Relay:');
  });

  it('shows the picker, the key list (noting the host key), and the notice', () => {
    const lines = frameOf(
      <SessionDashboard snapshot={snapshot({ host: false })} t={en} help notice="✗ all seats are taken" prompt={{ title: 'Push which venue?', options: ['一小', '三小'], index: 1 }} />,
    );
    const p = lines.indexOf('Push which venue?');
    expect(lines.slice(p, p + 4)).toEqual(['Push which venue?', '  一小', '▸ 三小', '↑/↓ choose · Enter confirm · Esc cancel']);
    expect(lines).toContain('  n    next rundown step');
    expect(lines).toContain('  ↑/↓ v n g r m need the host key');
    expect(lines.slice(-2)).toEqual(['✗ all seats are taken', '? help · q quit']);
  });

  it('keeps every line within 80 columns, cutting long text by display width', () => {
    const long = '很长的名字'.repeat(6);
    const crowd = Array.from({ length: 20 }, (_, i) => person(`p${i}`, `${long}${i}`, `${long}学校`, { publishing: true, hand: true, level: 1, inKbps: 123456, rttMs: 99999 }));
    const s = snapshot({
      title: long,
      kind: long,
      participants: crowd,
      pendingVenue: long,
      rundown: { steps: [{ venue: long, label: long }], current: 0 },
      viewersByVenue: crowd.map((p) => ({ venue: p.venue, count: 100 })),
      chat: [{ from: long, venue: long, text: `${long}\n${long}`, at: at(10, 0) }],
    });
    for (const [tr, width] of [[en, 80], [zh, 80], [zh, 50]] as const) {
      const lines = frameOf(<SessionDashboard snapshot={s} t={tr} width={width} help selected={15} notice={long} prompt={{ title: long, options: [long], index: 0 }} />);
      for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      expect(lines.some((l) => displayWidth(l) > width - 3)).toBe(true); // the long lines were cut, not dropped
    }
    const lines = frameOf(<SessionDashboard snapshot={s} t={en} selected={15} />);
    expect(lines.filter((l) => /^[▸ ] 很长/.test(l))).toHaveLength(12); // a window of 12 rows around the selected one
    expect(lines.filter((l) => l.startsWith('▸ 很长'))).toHaveLength(1);
    expect(lines).toContain('  … 9–20 of 20');
  });
});

describe('the status app', () => {
  it('waits for the first snapshot, then follows the store', async () => {
    const store = new SnapshotStore<SessionSnapshot>();
    const app = render(<StatusApp store={store} t={en} />);
    await frameWhere(app, (f) => f.includes('Waiting for the relay…'));
    store.set(snapshot());
    await frameWhere(app, (f) => f.includes('▶ 2. 三小 · 第一节'));
    store.set(snapshot({ rundown: { ...snapshot().rundown, current: 2 } }));
    await frameWhere(app, (f) => f.includes('▶ 3. 二小 · 评课'));
    app.unmount();
  });

  it('pushes the venue picked with v, ↓ and Enter; Esc cancels the picker', async () => {
    const { calls, controls } = recorder();
    const app = render(<StatusApp store={new SnapshotStore(snapshot({ pendingVenue: null }))} t={en} controls={controls} />);
    await frameWhere(app, (f) => f.includes('Rundown'));
    await inputReady(app);
    let frame = await press(app, 'v', (f) => f.includes('Push which venue to everyone?'));
    const lines = linesOf(frame);
    const title = lines.indexOf('Push which venue to everyone?');
    expect(lines.slice(title + 1, title + 6)).toEqual(['▸ 一小', '  Rivers', '  三小', '  二小', '↑/↓ choose · Enter confirm · Esc cancel']);
    await press(app, ESC, (f) => !f.includes('Push which venue'));
    await press(app, 'v', (f) => f.includes('▸ 一小'));
    await press(app, DOWN, (f) => f.includes('▸ Rivers'));
    frame = await press(app, ENTER, (f) => f.includes('Pushed Rivers'));
    expect(frame).not.toContain('Push which venue');
    expect(calls).toEqual(['pushVenue Rivers']);
    app.unmount();
  });

  it('moves the selection with ↑/↓ (following the person as the list changes) and acts on it with g, r, m, n, R', async () => {
    const { calls, controls } = recorder();
    const store = new SnapshotStore(snapshot());
    const app = render(<StatusApp store={store} t={en} controls={controls} />);
    await frameWhere(app, (f) => f.includes('▸ 张老师'));
    await inputReady(app);
    await press(app, DOWN, (f) => f.includes('▸ Ms Li'));
    await press(app, 'g', (f) => f.includes('Seat given to Ms Li'));
    await press(app, 'r', (f) => f.includes('Seat taken back from Ms Li'));
    await press(app, 'm', (f) => f.includes('Muted Ms Li'));
    await press(app, 'n', (f) => f.includes('Moved to the next step'));
    await press(app, 'R', (f) => f.includes('Recording stopped')); // the snapshot says it is recording
    store.set(snapshot({ participants: [WANG, ZHANG, LI] }));
    await frameWhere(app, (f) => f.split('\n').findIndex((l) => l.includes('王同学')) < f.split('\n').findIndex((l) => l.includes('张老师  ')) && f.includes('▸ Ms Li'));
    await press(app, UP, (f) => f.includes('▸ 张老师'));
    await press(app, 'g', (f) => f.includes('Seat given to 张老师'));
    expect(calls).toEqual(['grantSeat p-li', 'revokeSeat p-li', 'mute p-li audio', 'nextStep', 'record false', 'grantSeat p-zhang']);
    app.unmount();
  });

  it('shows why a control was refused', async () => {
    const { calls, controls } = recorder({ grantSeat: 'all 4 seats are taken' });
    const app = render(<StatusApp store={new SnapshotStore(snapshot())} t={en} controls={controls} />);
    await frameWhere(app, (f) => f.includes('Rundown'));
    await inputReady(app);
    await press(app, 'g', (f) => f.includes('✗ all 4 seats are taken'));
    expect(calls).toEqual(['grantSeat p-zhang']);
    app.unmount();
  });

  it('toggles the key list with ?, and without the host key says so instead of acting', async () => {
    const app = render(<StatusApp store={new SnapshotStore(snapshot({ host: false }))} t={en} />);
    const first = await frameWhere(app, (f) => f.includes('Rundown'));
    expect(first).not.toMatch(/^▸/m);
    await inputReady(app);
    await press(app, '?', (f) => f.includes('  v    push a venue to everyone (main venue)'));
    await press(app, '?', (f) => !f.includes('Keys'));
    for (const key of ['v', 'g', DOWN]) {
      await press(app, key, (f) => f.includes('Only the host can do that'));
      await press(app, '?', (f) => f.includes('Keys'));
      await press(app, '?', (f) => !f.includes('Keys'));
    }
    app.unmount();
  });

  it('quits on q', async () => {
    const { stdout, stdin } = fakeTerminal();
    const view = renderStatusApp(new SnapshotStore(snapshot()), { t: en, stdout, stdin });
    while (stdin.listenerCount('readable') === 0) await new Promise((r) => setImmediate(r));
    stdin.write('q');
    await view.exited;
    expect(strip(stdout.output())).toContain('▶ 2. 三小 · 第一节');
  });
});

