// Watch assignments end to end: a real recording at a real relay, `jiaoyan assign` from the command line, a
// teacher's personal link played in Chromium — part of it, then a skip ahead — and the progress the relay counted
// (what was played, not what was skipped); the personal links' refusals and the server's cap on a forged report;
// a self-review note written in the player that `jiaoyan note list` shows.
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SLACK_SECONDS } from '../../src/store/watched-ranges.js';
import { parseCsv } from '../../src/media/csv.js';
import { launchChromium, newPage } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { api, createSession, lessonTime, relayFixture, type TestRelay, publishingHost } from '../helpers/relay.js';

/** How often a poll looks again. */
const POLL_MS = 100;

const { cleanups, relay } = relayFixture();
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const env = (r: TestRelay) => ({ env: { JIAOYAN_HOME: r.dataDir } });
const cli = (r: TestRelay, args: string[]) => runCli([...args, '--ca', joinPath(r.dataDir, 'tls', 'ca.pem')], env(r));

interface Person { name: string; percent: number; watchedSeconds: number; watched: [number, number][]; finished: boolean; overdue: boolean; state: string; link?: string }
interface Status { id: string; recordingId: string; duration: number; due: string; assignees: Person[] }

/** The player page's test hook (the root tsconfig has no DOM types). */
interface VideoLike {
  muted: boolean; currentTime: number; ended: boolean; played: { length: number; start(i: number): number; end(i: number): number };
  play(): Promise<void>; pause(): void; addEventListener(type: string, cb: (e: unknown) => void, opts?: { once?: boolean }): void;
}
type PlayerWindow = { __player: { video: VideoLike } };

/** Poll `get` until `check` accepts its value, with a deadline. */
async function poll<T>(get: () => Promise<T>, check: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; ;) {
    const v = await get();
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Play (muted) from where the video is until it reaches `until` seconds (or its end), then pause. */
async function playUntil(page: Page, until: number): Promise<void> {
  await page.evaluate(async () => {
    const v = (globalThis as unknown as PlayerWindow).__player.video;
    v.muted = true;
    await v.play();
  });
  await page.waitForFunction((t) => {
    const v = (globalThis as unknown as PlayerWindow).__player.video;
    return v.currentTime >= t || v.ended;
  }, until);
  await page.evaluate(() => (globalThis as unknown as PlayerWindow).__player.video.pause());
}

/** A recording of about 8 s of lesson, made through the CLI. */
async function record(r: TestRelay): Promise<{ id: string; duration: number; link: string }> {
  const s = await createSession(r, { title: '三年级数学公开课', kind: 'lesson' });
  const { host, clip } = await publishingHost(r, s, cleanups);
  expect((await cli(r, ['record', 'start', s.code, '--host-key', s.hostKey])).code).toBe(0);
  await host.stateWhere((st) => st.recording);
  await lessonTime(clip, 8);
  expect((await cli(r, ['record', 'stop', s.code, '--host-key', s.hostKey])).code).toBe(0);
  const recs = (await api(r, 'GET', '/api/recordings')).json.recordings as { id: string; duration: number }[];
  expect(recs).toHaveLength(1);
  const { link } = (await api(r, 'GET', `/api/recordings/${recs[0]!.id}`)).json as { link: string };
  return { id: recs[0]!.id, duration: recs[0]!.duration, link };
}

describe('jiaoyan assign and the personal player links', () => {
  it('counts what a teacher played in the browser, not what was skipped, and keeps the links personal', async () => {
    const r = await relay();
    const rec = await record(r);
    expect(rec.duration).toBeGreaterThan(6);

    // Assign by a prefix of the recording's id, names with a Chinese comma.
    const made = await cli(r, ['assign', rec.id.slice(0, 8), '--to', '张三，李四', '--due', '7d', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const created = JSON.parse(made.stdout) as Status;
    expect(created.recordingId).toBe(rec.id);
    expect(created.assignees.map((p) => p.name)).toEqual(['张三', '李四']);
    expect(Date.parse(created.due) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const link = new URL(created.assignees[0]!.link!);
    const lisi = new URL(created.assignees[1]!.link!).searchParams.get('a')!;
    expect(link.pathname).toBe(`/play/${rec.id}`);
    expect(link.searchParams.get('a')).not.toBe(lisi);

    // Without the admin token the command is refused (exit 4); without names it is a usage error (exit 2).
    const noToken = await runCli(['assign', rec.id, '--to', '王五', '--relay', r.running.url, '--ca', joinPath(r.dataDir, 'tls', 'ca.pem')], { env: { JIAOYAN_HOME: tempDir() } });
    expect(noToken.code, noToken.stderr).toBe(4);
    expect((await cli(r, ['assign', rec.id])).code).toBe(2);
    expect((await cli(r, ['assign', rec.id, '--to', '王五', '--due', 'someday'])).code).toBe(2);

    // Refused: a wrong personal token, none, the recording link on /progress.
    const linkQuery = new URL(rec.link).search;
    const wrong = 'x'.repeat(32);
    for (const path of [`/play/${rec.id}?a=${wrong}`, `/play/${rec.id}`, `/media/${rec.id}/program.webm?a=${wrong}`]) {
      const res = await api(r, 'GET', path, undefined, null);
      expect(res.status, path).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'LINK_INVALID' } });
    }
    for (const q of [`?a=${wrong}`, '', linkQuery]) {
      const res = await api(r, 'POST', `/play/${rec.id}/progress${q}`, { ranges: [[0, 1]] }, null);
      expect(res.status, q).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'LINK_INVALID' } });
    }

    // 张三 opens the link, plays to 2 s and pauses, then skips far ahead and plays a little.
    const watcher = await newPage(browser, 'zh-CN', { ignoreHTTPSErrors: true });
    cleanups.push(() => watcher.context.close());
    await watcher.page.goto(link.href);
    await watcher.page.waitForSelector('#video');
    await playUntil(watcher.page, 2);
    const target = Math.round((rec.duration - 1.5) * 10) / 10;
    expect(target).toBeGreaterThan(4.5);
    await watcher.page.evaluate(async (t) => {
      const v = (globalThis as unknown as PlayerWindow).__player.video;
      const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
      v.currentTime = t;
      await seeked;
    }, target);
    await playUntil(watcher.page, target + 0.6);
    const played = await watcher.page.evaluate(() => {
      const p = (globalThis as unknown as PlayerWindow).__player.video.played;
      return Array.from({ length: p.length }, (_, i) => [p.start(i), p.end(i)] as [number, number]);
    });
    const playedSeconds = played.reduce((s, [a, b]) => s + b - a, 0);
    const firstEnd = played[0]![1];
    expect(firstEnd).toBeLessThan(target - 1);

    // Wait for the report of the second stretch to arrive.
    const status = (id: string) => api(r, 'GET', `/api/assignments/${id}`).then((res) => res.json as unknown as Status);
    const zhang = (s: Status) => s.assignees.find((p) => p.name === '张三')!;
    await poll(() => status(created.id), (s) => zhang(s).watched.some(([, b]) => b >= target + 0.3), 'the report of the second stretch');

    const shown = await cli(r, ['assign', 'status', created.id, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const now = JSON.parse(shown.stdout) as Status;
    const z = zhang(now);
    // What was played, within a fraction of a second at each stretch's ends; nothing of the skipped span.
    expect(Math.abs(z.watchedSeconds - playedSeconds)).toBeLessThan(0.75);
    expect(z.watchedSeconds).toBeLessThan(target);
    for (const [a, b] of z.watched) expect(b <= firstEnd + 0.5 || a >= target - 0.5, `${a}–${b} lies in the skipped span`).toBe(true);
    expect(z.percent).toBeCloseTo((z.watchedSeconds / rec.duration) * 100, 0);
    expect(z).toMatchObject({ finished: false, overdue: false, state: 'watching' });
    expect(now.assignees.find((p) => p.name === '李四')).toMatchObject({ percent: 0, watchedSeconds: 0, state: 'not-started' });

    const csv = await cli(r, ['assign', 'status', created.id.slice(0, 5), '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...rows] = parseCsv(csv.stdout.trimEnd());
    expect(header).toEqual(['name', 'watched_percent', 'watched_seconds', 'finished', 'finished_at', 'on_time', 'overdue', 'state']);
    expect(rows).toEqual([
      ['张三', String(z.percent), String(z.watchedSeconds), 'no', '', '', 'no', 'watching'],
      ['李四', '0', '0', 'no', '', '', 'no', 'not-started'],
    ]);
    const table = await cli(r, ['assign', 'status', created.id]);
    expect(table.stdout).toMatch(new RegExp(`张三\\s+${z.percent.toFixed(1)}%\\s+watching`));

    // A forged report for 李四 (whose page was never opened) claims the whole lesson: only the slack counts.
    const forged = await api(r, 'POST', `/play/${rec.id}/progress?a=${lisi}`, { ranges: [[0, rec.duration]] }, null);
    expect(forged.status).toBe(200);
    expect(forged.json.added).toBeLessThanOrEqual(SLACK_SECONDS);
    expect(forged.json).toMatchObject({ finished: false });
    expect((await api(r, 'POST', `/play/${rec.id}/progress?a=${lisi}`, { ranges: 'all' }, null)).status).toBe(400);
    expect((await api(r, 'POST', `/play/${rec.id}/progress?a=${lisi}`, { ranges: [[0, 1e9]] }, null)).status).toBe(400);

    // A note at the current moment, from the player's form.
    await watcher.page.selectOption('#note-tag', 'voice');
    await watcher.page.fill('#note-text', '这里语速太快 <b>慢一点</b>');
    await watcher.page.click('#note-add');
    await watcher.page.locator('#notes .note-text').filter({ hasText: '这里语速太快' }).waitFor();
    expect(await watcher.page.$('#notes b')).toBeNull();
    const notes = await runCli(['--json', 'note', 'list', rec.id.slice(0, 8)], env(r));
    expect(notes.code, notes.stderr).toBe(0);
    const listed = (JSON.parse(notes.stdout) as { notes: { by?: string; tag: string; text: string; at: number }[] }).notes;
    expect(listed).toEqual([expect.objectContaining({ by: '张三', tag: 'voice', text: '这里语速太快 <b>慢一点</b>' })]);
    expect(listed[0]!.at).toBeGreaterThan(target);
    // 李四's link sees only 李四's notes; the recording's link sees all; a bad note is refused.
    expect((await api(r, 'GET', `/play/${rec.id}/notes?a=${lisi}`, undefined, null)).json).toEqual({ notes: [] });
    expect(((await api(r, 'GET', `/play/${rec.id}/notes${linkQuery}`, undefined, null)).json.notes as unknown[])).toHaveLength(1);
    expect((await api(r, 'POST', `/play/${rec.id}/notes${linkQuery}`, { at: 1, tag: 'hair', text: 'x' }, null)).status).toBe(400);
    expect((await api(r, 'POST', `/play/${rec.id}/notes${linkQuery}`, { at: rec.duration + 60, tag: 'pace', text: 'x' }, null)).status).toBe(400);
    expect((await api(r, 'POST', `/play/${rec.id}/notes?a=${wrong}`, { at: 1, tag: 'pace', text: 'x' }, null)).status).toBe(403);

    const listedAssignments = JSON.parse((await cli(r, ['assign', 'list', '--json'])).stdout) as { assignments: { id: string }[] };
    expect(listedAssignments.assignments.map((a) => a.id)).toEqual([created.id]);
    expect(watcher.errors).toEqual([]);
  });
});
