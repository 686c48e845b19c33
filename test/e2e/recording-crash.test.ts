// The real relay killed with SIGKILL in the middle of a recording: on its next start it recovers the recording
// into a seekable file that holds everything up to within 5 s of the kill, and queues it for review.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { locate } from '../../src/media/locate.js';
import { probe } from '../../src/media/probe.js';
import { tempDir } from '../helpers/cli.js';
import { api, createSession, lessonTime, publishClip } from '../helpers/relay.js';
import { startRelayCli } from '../helpers/relay-cli.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a relay killed while recording', () => {
  it('recovers the recording on its next start: seekable, up to within 5 s of the kill', async () => {
    const home = tempDir();
    const first = await startRelayCli(home, cleanups);
    const s = await createSession(first.relay, { title: '被中断的公开课', kind: 'lesson' });
    const host = await ParticipantClient.connect({ relay: first.relay.running.url, code: s.code, name: '张老师', venue: '实验小学', hostKey: s.hostKey, ca: first.relay.ca });
    cleanups.push(() => host.close());
    const clip = await publishClip(host);
    cleanups.push(clip);
    await host.stateWhere((st) => st.mainVenue === '实验小学');
    await host.request({ type: 'record', on: true });
    const sentAtStart = clip.sent.audio;
    await lessonTime(clip, 8);
    first.child.kill('SIGKILL');
    // Seconds of lesson sent while recording (the publisher's sound: 20 ms a packet).
    const recorded = (clip.sent.audio - sentAtStart) * 0.02;
    await new Promise((r) => first.child.once('exit', r));
    host.close();

    const second = await startRelayCli(home, cleanups);
    const { json } = await api(second.relay, 'GET', '/api/recordings');
    const recs = json.recordings as { id: string; state: string; recovered?: boolean; duration: number; history: { state: string; reason?: string }[] }[];
    expect(recs).toHaveLength(1);
    const rec = recs[0]!;
    expect(rec).toMatchObject({ state: 'pending', recovered: true });
    expect(rec.history.at(-1)?.reason).toMatch(/recovered/);
    const file = join(home, 'recordings', rec.id, 'program.webm');
    const info = await probe(file);
    expect(info.duration).toBeGreaterThan(recorded - 5);
    expect(info.duration).toBeLessThan(recorded + 1);
    // Seekable: a frame from the middle decodes straight away.
    const seek = spawnSync(locate('ffmpeg').path, ['-v', 'error', '-ss', String(Math.floor(info.duration / 2)), '-i', file, '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' });
    expect(seek.status).toBe(0);
    expect(seek.stderr.trim()).toBe('');
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
