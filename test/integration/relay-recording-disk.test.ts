// A full disk while recording: the recording stops with a clear event (the host is told, everyone's state shows
// it, the catalogue keeps why), what was written stays playable, and the live session goes on. The recordings
// folder is a small tmpfs of its own, filled from outside as another program would fill the disk.
import { execFileSync } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { locate } from '../../src/media/locate.js';
import { probe } from '../../src/media/probe.js';
import { startRelay } from '../../src/server/relay-server.js';
import { tempDir } from '../helpers/cli.js';
import { api, createSession, lessonTime, publishClip, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups } = relayFixture();

/** A relay whose recordings folder is a tmpfs of `mb` megabytes. */
async function relayOnSmallDisk(mb: number, recordMinFreeMb: number): Promise<TestRelay & { recordings: string }> {
  const dataDir = tempDir();
  const recordings = join(dataDir, 'recordings');
  mkdirSync(recordings, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', recordings]);
  cleanups.push(() => void execFileSync('umount', ['-l', recordings]));
  const running = await startRelay({ dataDir, port: 0, bind: '127.0.0.1', recordMinFreeMb });
  cleanups.push(() => running.close());
  return {
    running, dataDir, recordings,
    ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'),
    token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(),
  };
}

/** Take all but `leaveBytes` of the free space, as another program filling the disk would. */
function fillDisk(folder: string, leaveBytes: number): void {
  const s = statfsSync(folder);
  const free = s.bavail * s.bsize;
  writeFileSync(join(folder, 'filler.bin'), Buffer.alloc(Math.max(0, free - leaveBytes)));
}

/** Video frames ffmpeg decodes from a file. */
function decodedFrames(path: string): number {
  const r = spawnSync(locate('ffmpeg').path, ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length;
}

async function join2(r: TestRelay, code: string, name: string, venue: string, hostKey?: string) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

describe.each([
  // Below the relay's minimum free space: it stops before the disk is really full.
  ['the free space falls below --record-min-free', 1, 64 * 1024],
  // No minimum: ffmpeg itself fails to write (ENOSPC).
  ['a write fails with ENOSPC', 0, 16 * 1024],
] as const)('when %s', (_what, minFreeMb, leave) => {
  it('stops the recording with a clear event, keeps what was written, and the session goes on', async () => {
    const r = await relayOnSmallDisk(24, minFreeMb);
    const s = await createSession(r, { title: '磁盘测试', kind: 'lesson' });
    const host = await join2(r, s.code, '张老师', '实验小学', s.hostKey);
    const viewer = await join2(r, s.code, '王老师', '二小');
    const clip = await publishClip(host);
    cleanups.push(clip);
    await host.stateWhere((st) => st.mainVenue === '实验小学');
    const errors: { code: string; message: string }[] = [];
    host.on('error', (e) => errors.push(e));
    const events: string[] = [];
    r.running.relay.observer.on('recordingInterrupted', (_s, _r, reason) => events.push(reason));

    await host.request({ type: 'record', on: true });
    await viewer.stateWhere((st) => st.recording);
    await lessonTime(clip, 2.5);
    fillDisk(r.recordings, leave);

    await viewer.stateWhere((st) => !st.recording, 30_000);
    await until(() => errors.length > 0 && events.length > 0, 'the host hears why');
    expect(errors[0]).toMatchObject({ code: 'RECORDING_DISK_FULL' });
    expect(errors[0]!.message).toMatch(/disk is full|磁盘已满/);
    expect(events).toEqual(['RECORDING_DISK_FULL']);

    // Kept and queued for review, with the reason in its history; what was written plays.
    let rec: { id: string; state: string; history: { state: string; by: string; reason?: string }[] } | undefined;
    await until(() => {
      void api(r, 'GET', '/api/recordings').then((res) => (rec = (res.json.recordings as typeof rec[])[0]));
      return rec?.state === 'pending';
    }, 'the recording in the catalogue');
    expect(rec!.history.at(-1)).toMatchObject({ state: 'pending', by: 'relay', reason: expect.stringMatching(/disk is full.*library repair/) });
    // What was written decodes; once space is freed, `library repair` gives it its index and duration.
    const program = join(r.recordings, rec!.id, 'program.webm');
    expect(decodedFrames(program)).toBeGreaterThan(25);
    // Recording again while the disk is full is refused with the same reason.
    await expect(host.request({ type: 'record', on: true })).rejects.toMatchObject({ code: 'RECORDING_DISK_FULL' });
    rmSync(join(r.recordings, 'filler.bin'));
    expect((await api(r, 'POST', `/api/recordings/${rec!.id}/repair`)).status).toBe(200);
    const info = await probe(program);
    expect(info.video).toBeDefined();
    expect(info.duration).toBeGreaterThan(1.5);
    expect(((await api(r, 'GET', `/api/recordings/${rec!.id}`)).json as { duration: number }).duration).toBeGreaterThan(1.5);

    // The live session goes on: the viewer still receives the main venue.
    const before = [...viewer.received.values()].reduce((a, b) => a + b, 0);
    await lessonTime(clip, 1);
    await until(() => [...viewer.received.values()].reduce((a, b) => a + b, 0) > before + 20, 'media after the stop');
  });
});
