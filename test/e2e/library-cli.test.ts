// Recording and the library from the command line, as an IT teacher's script would run them.
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createSession, lessonTime, relayFixture, type TestRelay, publishingHost } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();
const cli = (r: TestRelay, args: string[]) => runCli([...args, '--ca', joinPath(r.dataDir, 'tls', 'ca.pem')], { env: { JIAOYAN_HOME: r.dataDir } });

describe('record and library commands', () => {
  it('records a session, lists it, and takes it through review to published', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '三年级数学公开课', kind: 'lesson' });
    const { host, clip } = await publishingHost(r, s, cleanups);

    const start = await cli(r, ['--json', 'record', 'start', s.code, '--host-key', s.hostKey]);
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout)).toEqual({ recording: true });
    await host.stateWhere((st) => st.recording);
    await lessonTime(clip, 2.5);
    const stop = await cli(r, ['--json', 'record', 'stop', s.code, '--host-key', s.hostKey]);
    expect(JSON.parse(stop.stdout)).toEqual({ recording: false });

    const list = await cli(r, ['--json', 'library', 'list', '--state', 'pending']);
    expect(list.code, list.stderr).toBe(0);
    const recs = (JSON.parse(list.stdout) as { recordings: { id: string; title: string; state: string; duration: number }[] }).recordings;
    expect(recs).toEqual([expect.objectContaining({ title: '三年级数学公开课', state: 'pending' })]);
    expect(recs[0]!.duration).toBeGreaterThan(0);
    const prefix = recs[0]!.id.slice(0, 8);

    const noReason = await cli(r, ['library', 'reject', prefix]);
    expect(noReason.code).toBe(2);
    const early = await cli(r, ['--json', 'library', 'publish', prefix]);
    expect(early.code).toBe(4);
    expect(JSON.parse(early.stdout)).toMatchObject({ code: 'RECORDING_STATE' });
    const rejected = await cli(r, ['--json', 'library', 'reject', prefix, '--reason', '声音太小']);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ state: 'rejected' });
    expect((await cli(r, ['library', 'approve', prefix])).code).toBe(0);
    const published = await cli(r, ['--json', 'library', 'publish', prefix]);
    expect(JSON.parse(published.stdout)).toMatchObject({ state: 'published' });
    const shown = JSON.parse((await cli(r, ['--json', 'library', 'show', prefix])).stdout) as { history: { state: string; by: string; reason?: string }[] };
    expect(shown.history.map((h) => [h.state, h.reason ?? null])).toEqual([
      ['recording', null], ['pending', null], ['rejected', '声音太小'], ['approved', null], ['published', null],
    ]);
    const none = await cli(r, ['--json', 'library', 'list', '--teacher', '李老师']);
    expect(JSON.parse(none.stdout)).toEqual({ recordings: [] });
    const wrongToken = await cli(r, ['library', 'list', '--token', 'x'.repeat(32)]);
    expect(wrongToken.code).toBe(4);

    // A recording goes straight to the micro-teaching tools by its id.
    const out = joinPath(r.dataDir, 'cut.mp4');
    const cut = await runCli(['--json', 'clip', prefix, '--from', '0.5', '--to', '1.5', '--mode', 'encode', '-o', out], { env: { JIAOYAN_HOME: r.dataDir } });
    expect(cut.code, cut.stderr).toBe(0);
    expect(JSON.parse(cut.stdout)).toMatchObject({ output: out, frames: expect.any(Number) });
    const analysed = await runCli(['--json', 'analyze', prefix], { env: { JIAOYAN_HOME: r.dataDir } });
    expect(analysed.code, analysed.stderr).toBe(0);
    expect(JSON.parse(analysed.stdout)).toMatchObject({ integratedLufs: expect.any(Number), speakingRatio: expect.any(Number) });

    // Self-review notes on the recording, exported, and the moment around one cut out.
    const env = { env: { JIAOYAN_HOME: r.dataDir } };
    const added = await runCli(['--json', 'note', 'add', prefix, '--at', '0:01', '--tag', 'voice', '讲到重点时', '要放慢, "停一下"'], env);
    expect(added.code, added.stderr).toBe(0);
    const note = JSON.parse(added.stdout) as { id: string; at: number; tag: string; text: string };
    expect(note).toMatchObject({ at: 1, tag: 'voice', text: '讲到重点时 要放慢, "停一下"' });
    expect((await runCli(['note', 'add', prefix, '--tag', 'hair', 'x'], env)).code).toBe(2);
    const csv = await runCli(['note', 'export', prefix, '--format', 'csv'], env);
    expect(csv.stdout).toBe('at,tag,text,suggested,by\n00:00:01.000,voice,"讲到重点时 要放慢, ""停一下""",,\n');
    const md = await runCli(['note', 'export', prefix], env);
    expect(md.stdout).toContain('| 00:00:01.000 | voice | 讲到重点时 要放慢, "停一下" |');
    const around = joinPath(r.dataDir, 'note.mp4');
    const fromNote = await runCli(['--json', 'clip', '--from-note', note.id, '--around', '2', '--mode', 'encode', '-o', around], env);
    expect(fromNote.code, fromNote.stderr).toBe(0);
    expect(JSON.parse(fromNote.stdout)).toMatchObject({ requested: { from: 0, to: 2 } });
    const suggested = await runCli(['--json', 'analyze', prefix, '--suggest-notes'], env);
    expect(suggested.code, suggested.stderr).toBe(0);
    const count = (JSON.parse(suggested.stdout) as { suggestedNotes: number }).suggestedNotes;
    const listed = JSON.parse((await runCli(['--json', 'note', 'list', prefix], env)).stdout) as { notes: { suggested?: boolean }[] };
    expect(listed.notes.filter((n) => n.suggested)).toHaveLength(count);
    expect(listed.notes.filter((n) => !n.suggested)).toHaveLength(1);
  });
});
