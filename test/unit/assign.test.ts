// `jiaoyan assign`: reading --due and --to, the status CSV, the progress view, and the assignment store (tokens
// kept only as hashes, the file private, reports capped by wall time).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTime, parseDue, parseNames, statusCsv, type AssignmentView } from '../../src/cli/commands/assign.js';
import { UsageError } from '../../src/core/errors.js';
import { hashSecret } from '../../src/core/secrets.js';
import { personView } from '../../src/server/assignments-api.js';
import { AssignmentStore } from '../../src/store/assignment-store.js';
import { SLACK_SECONDS } from '../../src/store/watched-ranges.js';
import { tempDir } from '../helpers/cli.js';

const NOW = Date.parse('2026-11-20T08:00:00Z');

describe('assign --due', () => {
  it('reads durations from now', () => {
    expect(parseDue('7d', NOW)).toBe('2026-11-27T08:00:00.000Z');
    expect(parseDue('36h', NOW)).toBe('2026-11-21T20:00:00.000Z');
    expect(parseDue('2w', NOW)).toBe('2026-12-04T08:00:00.000Z');
  });

  it('reads a date as the end of that day (local time) and an ISO time as given', () => {
    expect(localTime(parseDue('2026-11-30', NOW))).toBe('2026-11-30 23:59');
    expect(parseDue('2026-11-30T10:00:00Z', NOW)).toBe('2026-11-30T10:00:00.000Z');
  });

  it('refuses what it cannot read, and a due date already past', () => {
    for (const bad of ['soon', '7', '7y', '2026-13-45', '']) expect(() => parseDue(bad, NOW), bad).toThrow(UsageError);
    expect(() => parseDue('2026-11-01', NOW)).toThrow(expect.objectContaining({ code: 'ASSIGN_DUE_PAST' }));
  });
});

describe('assign --to', () => {
  it('splits on commas, Chinese commas and 、, trimming, each name once', () => {
    expect(parseNames('张三,李四')).toEqual(['张三', '李四']);
    expect(parseNames(' 张三，李四、王五 ,张三,, ')).toEqual(['张三', '李四', '王五']);
  });

  it('needs at least one name', () => {
    expect(() => parseNames(' ，, ')).toThrow(expect.objectContaining({ code: 'ASSIGN_NO_NAMES' }));
  });
});

describe('assignment progress', () => {
  const due = '2026-11-27T08:00:00.000Z';
  const person = (over: Record<string, unknown>) => ({ name: '张三', tokenHash: 'h', watched: [], ...over });

  it('is the watched share, finished on time or late, or overdue when the due date passed unfinished', () => {
    expect(personView(person({ watched: [[0, 30]] }), 120, due, NOW)).toMatchObject({ watchedSeconds: 30, percent: 25, finished: false, overdue: false, state: 'watching' });
    expect(personView(person({}), 120, due, NOW)).toMatchObject({ percent: 0, state: 'not-started', onTime: null });
    expect(personView(person({ watched: [[0, 120]], finishedAt: '2026-11-21T00:00:00.000Z' }), 120, due, NOW)).toMatchObject({ percent: 100, onTime: true, state: 'on-time' });
    const after = Date.parse('2026-11-28T00:00:00Z');
    expect(personView(person({ watched: [[0, 120]], finishedAt: '2026-11-27T09:00:00.000Z' }), 120, due, after)).toMatchObject({ onTime: false, overdue: false, state: 'late' });
    expect(personView(person({ watched: [[0, 60]] }), 120, due, after)).toMatchObject({ overdue: true, state: 'overdue' });
  });

  it('is written as CSV with fixed headers and quoted names', () => {
    const view = {
      id: 'abcd1234', recordingId: 'r', title: 't', duration: 120, due, createdAt: due, createdBy: 'admin', finished: 0, overdue: 0,
      assignees: [personView(person({ name: '张"三', watched: [[0, 30]] }), 120, due, NOW)],
    } as AssignmentView;
    expect(statusCsv(view)).toBe('name,watched_percent,watched_seconds,finished,finished_at,on_time,overdue,state\n"张""三",25,30,no,,,no,watching\n');
  });
});

describe('AssignmentStore', () => {
  const rec = '11111111-2222-3333-4444-555555555555';

  it('keeps only hashes of the personal tokens, in a file only its owner can read', async () => {
    const dir = tempDir();
    const store = new AssignmentStore(dir);
    await store.load();
    const { assignment, tokens } = await store.create({ recordingId: rec, names: ['张三', '李四'], due: '2026-11-27T08:00:00.000Z', createdBy: 'admin' });
    expect(assignment.id).toMatch(/^[0-9a-f]{8}$/);
    const file = join(dir, 'assignments.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    for (const token of tokens.values()) {
      expect(token.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits in base64url
      expect(text).not.toContain(token);
      expect(text).toContain(hashSecret(token));
    }
    expect(store.byToken(rec, tokens.get('李四')!)?.assignee.name).toBe('李四');
    expect(store.byToken('99999999-2222-3333-4444-555555555555', tokens.get('李四')!)).toBeUndefined();
    expect(store.byToken(rec, 'x'.repeat(32))).toBeUndefined();
    expect(store.byToken(rec, '')).toBeUndefined();
  });

  it('caps each report by the wall time since the page opened or the previous report, and marks the finish once', async () => {
    const dir = tempDir();
    const store = new AssignmentStore(dir);
    await store.load();
    const { assignment } = await store.create({ recordingId: rec, names: ['张三'], due: '2026-11-27T08:00:00.000Z', createdBy: 'admin' });
    const p = assignment.assignees[0]!;
    store.opened(p, 0);
    // 10 s after opening, a forged report claims the whole 100 s lesson: 2 × 10 + slack counts.
    const first = await store.report(assignment.id, p.tokenHash, [[0, 100]], 100, 10_000);
    expect(first.added).toBe(20 + SLACK_SECONDS);
    // 40 s later the rest is plausible; 95 % reached → finished.
    const second = await store.report(assignment.id, p.tokenHash, [[0, 100]], 100, 50_000);
    expect(second.assignee.watched).toEqual([[0, 100]]);
    expect(second.assignee.finishedAt).toBe(new Date(50_000).toISOString());
    const third = await store.report(assignment.id, p.tokenHash, [[0, 100]], 100, 90_000);
    expect(third.assignee.finishedAt).toBe(new Date(50_000).toISOString());
    // A fresh store reads the same from disk.
    const again = new AssignmentStore(dir);
    await again.load();
    expect(again.get(assignment.id)?.assignees[0]).toMatchObject({ watched: [[0, 100]], finishedAt: new Date(50_000).toISOString() });
  });
});
