// Recording what WebM alone cannot hold, and recordings too short for ffmpeg's probing: an H.264 venue is recorded
// (Matroska) and survives a crash's repair; a program handed VP8 → H.264 → VP8 keeps every stretch as consecutive
// parts on one timeline; a 1 s recording is a playable file; a recording without media leaves no file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { request } from 'node:https';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveMediaInput } from '../../src/cli/recording-input.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { locate } from '../../src/media/locate.js';
import { probe } from '../../src/media/probe.js';
import { repairWebm } from '../../src/media/rtp-webm-writer.js';
import { tempDir } from '../helpers/cli.js';
import { api, createSession, lessonTime, publishClip, relayFixture, type TestRelay } from '../helpers/relay.js';
import { decodeErrors } from '../helpers/media.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, extra: Partial<Parameters<typeof ParticipantClient.connect>[0]> = {}) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...extra });
  cleanups.push(() => c.close());
  return c;
}

/** Every video frame's time in a file (s): they must rise at the clip's frame rate, never repeat. */
function frameTimes(path: string): number[] {
  const r = spawnSync(locate('ffprobe').path, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').map(Number);
}

/** Seek to the middle and decode one frame: what a player does when the bar is clicked. */
function seeksToMiddle(path: string, duration: number): { status: number | null; stderr: string } {
  const r = spawnSync(locate('ffmpeg').path, ['-v', 'error', '-ss', (duration / 2).toFixed(2), '-i', path, '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr.trim() };
}

function getStatus(r: TestRelay, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(new URL(path, r.running.url), { ca: r.ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject).end();
  });
}

interface Listed {
  id: string;
  state: string;
  duration: number;
  files: { name: string; role: string; speaker?: string; offset?: number; duration: number; pid?: number }[];
  thumbnails?: string[];
  history: { state: string; reason?: string }[];
}

async function recordings(r: TestRelay): Promise<Listed[]> {
  return (await api(r, 'GET', '/api/recordings')).json.recordings as Listed[];
}

describe('recording H.264 venues and short recordings', () => {
  it('records an H.264 venue (program and seat) as Matroska: playable, seekable, the right length, repairable', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '硬件编码的公开课', kind: 'lesson' });
    const host = await join(r, s.code, '张老师', '实验小学', { hostKey: s.hostKey, publishVideo: 'h264' });
    const speaker = await join(r, s.code, '李老师', '三小', { publishVideo: 'h264' });
    await host.request({ type: 'grantSeat', peerId: speaker.joined.peerId });
    const clip = await publishClip(host, 'h264');
    cleanups.push(clip, await publishClip(speaker, 'h264'));
    await host.stateWhere((st) => st.mainVenue === '实验小学');

    await host.request({ type: 'record', on: true });
    await host.stateWhere((st) => st.recording);
    // Measured up to the stop request (its reply comes once the files are finished and measured).
    const sentAtStart = clip.sent.audio;
    await lessonTime(clip, 4);
    const seconds = (clip.sent.audio - sentAtStart) * 0.02;
    await host.request({ type: 'record', on: false });
    await host.stateWhere((st) => !st.recording);

    const [rec] = await recordings(r);
    expect(rec!.state).toBe('pending');
    expect(rec!.files.map((f) => [f.name, f.role, f.speaker ?? null])).toEqual([['program.mkv', 'program', null], ['seat-1.mkv', 'seat', '李老师']]);
    const folder = joinPath(r.dataDir, 'recordings', rec!.id);
    for (const f of rec!.files) {
      const path = joinPath(folder, f.name);
      const info = await probe(path);
      expect(info.video?.codec).toBe('h264');
      expect(info.video?.width).toBe(320);
      expect(info.audio?.codec).toBe('opus');
      expect(decodeErrors(path)).toEqual([]);
      expect(f.duration).toBeCloseTo(info.duration, 1);
      // The clip runs at 30 frames a second: no frame stamped late onto the next one's time (a known ffmpeg trap).
      const times = frameTimes(path);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(0.02);
    }
    const program = joinPath(folder, 'program.mkv');
    const info = await probe(program);
    // Nothing lost (the file may also hold what came while the start and stop requests were answered).
    expect(info.duration).toBeGreaterThan(seconds - 1);
    expect(info.duration).toBeLessThan(seconds + 1.5);
    expect(rec!.duration).toBeCloseTo(info.duration, 1);
    expect(rec!.thumbnails?.length).toBeGreaterThan(0);
    expect(seeksToMiddle(program, info.duration)).toEqual({ status: 0, stderr: '' });
    // `clip`/`analyze <id>` find it; the player serves it.
    expect(resolveMediaInput(r.dataDir, rec!.id.slice(0, 8))).toBe(program);
    const link = new URL(((await api(r, 'GET', `/api/recordings/${rec!.id}`)).json as { link: string }).link);
    expect(await getStatus(r, `/media/${rec!.id}/program.mkv${link.search}`)).toBe(200);

    // What a crash leaves (no index, cut mid-cluster) is repaired into a seekable Matroska file.
    const crashed = joinPath(tempDir(), 'program.mkv');
    copyFileSync(program, crashed);
    truncateSync(crashed, Math.floor(statSync(program).size * 0.9) + 7);
    await repairWebm(crashed);
    const repaired = await probe(crashed);
    expect(repaired.video?.codec).toBe('h264');
    expect(repaired.duration).toBeGreaterThan(info.duration * 0.9 - 1.5);
    expect(repaired.duration).toBeLessThanOrEqual(info.duration + 0.05);
    expect(seeksToMiddle(crashed, repaired.duration)).toEqual({ status: 0, stderr: '' });
  });

  it('keeps every stretch of a program handed VP8 → H.264 → VP8, as consecutive parts on one timeline', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '城乡同步课堂', kind: 'showcase' });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const speaker = await join(r, s.code, '李老师', '三小', { publishVideo: 'h264' });
    await host.request({ type: 'grantSeat', peerId: speaker.joined.peerId });
    const clip = await publishClip(host);
    const speakerClip = await publishClip(speaker, 'h264');
    cleanups.push(clip, speakerClip);
    await host.stateWhere((st) => st.mainVenue === '教育中心');

    // Each stretch is measured by what its venue sent meanwhile (20 ms of sound a packet), up to the stop request:
    // the two publishers need not keep exactly the same pace on a loaded machine.
    await host.request({ type: 'record', on: true });
    await host.stateWhere((st) => st.recording);
    const hostAtStart = clip.sent.audio;
    await lessonTime(clip, 2.5);
    await host.request({ type: 'pushVenue', venue: '三小' });
    await host.stateWhere((st) => st.mainVenue === '三小' && st.pendingVenue === null);
    const hostAtFirst = clip.sent.audio;
    const speakerAtFirst = speakerClip.sent.audio;
    await lessonTime(speakerClip, 2.5);
    await host.request({ type: 'pushVenue', venue: '教育中心' });
    await host.stateWhere((st) => st.mainVenue === '教育中心' && st.pendingVenue === null);
    const speakerAtSecond = speakerClip.sent.audio;
    const hostAtSecond = clip.sent.audio;
    await lessonTime(clip, 2.5);
    const stretches = [hostAtFirst - hostAtStart, speakerAtSecond - speakerAtFirst, clip.sent.audio - hostAtSecond].map((n) => n * 0.02);
    await host.request({ type: 'record', on: false });
    await host.stateWhere((st) => !st.recording);

    const [rec] = await recordings(r);
    const folder = joinPath(r.dataDir, 'recordings', rec!.id);
    const parts = rec!.files.filter((f) => f.role === 'program');
    expect(parts.map((f) => f.name)).toEqual(['program.webm', 'program-2.mkv', 'program-3.webm']);
    expect(rec!.files.filter((f) => f.role === 'seat').map((f) => f.name)).toEqual(['seat-1.mkv']);
    const codecs: string[] = [];
    for (const [i, part] of parts.entries()) {
      const path = joinPath(folder, part.name);
      const info = await probe(path);
      codecs.push(`${info.video?.codec}+${info.audio?.codec}`);
      expect(decodeErrors(path)).toEqual([]);
      expect(part.pid).toBeUndefined();
      expect(part.duration, part.name).toBeGreaterThan(stretches[i]! - 1);
      expect(part.duration, part.name).toBeLessThan(stretches[i]! + 1);
    }
    // One timeline: each part starts where the one before ends, and together they are the whole lesson.
    expect(parts[0]!.offset).toBeLessThan(1);
    for (let i = 1; i < parts.length; i++) {
      const before = parts[i - 1]!;
      expect(Math.abs(before.offset! + before.duration - parts[i]!.offset!)).toBeLessThan(1);
    }
    const total = parts.reduce((sum, f) => sum + f.duration, 0);
    const seconds = stretches.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(seconds - 1.5);
    expect(total).toBeLessThan(seconds + 1.5);
    expect(rec!.duration).toBeCloseTo(total, 1);
    // Each part can be named on the command line and fetched by the player's link.
    expect(resolveMediaInput(r.dataDir, rec!.id)).toBe(joinPath(folder, 'program.webm'));
    expect(resolveMediaInput(r.dataDir, `${rec!.id}:2`)).toBe(joinPath(folder, 'program-2.mkv'));
    expect(resolveMediaInput(r.dataDir, `${rec!.id}:3`)).toBe(joinPath(folder, 'program-3.webm'));
    const link = new URL(((await api(r, 'GET', `/api/recordings/${rec!.id}`)).json as { link: string }).link);
    for (const part of parts) expect(await getStatus(r, `/media/${rec!.id}/${part.name}${link.search}`)).toBe(200);
  });

  it('gives a playable file for a 1 s recording, and no file (and says so) for one without media', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '一秒钟', kind: 'prep' });
    const host = await join(r, s.code, '王主任', '教育中心', { hostKey: s.hostKey });
    const errors: unknown[] = [];
    host.on('error', (e) => errors.push(e));
    const interrupted: string[] = [];
    r.running.relay.observer.on('recordingInterrupted', (_s, _r, reason) => interrupted.push(reason));

    // Nothing published: no media at all while it records.
    await host.request({ type: 'record', on: true });
    await host.stateWhere((st) => st.recording);
    await host.request({ type: 'record', on: false });
    await host.stateWhere((st) => !st.recording);
    const [empty] = await recordings(r);
    expect(empty).toMatchObject({ state: 'pending', files: [], duration: 0 });
    expect(empty!.history.at(-1)?.reason).toMatch(/nothing was kept/);
    expect(readdirSync(joinPath(r.dataDir, 'recordings', empty!.id)).filter((n) => /\.(webm|mkv)$/.test(n))).toEqual([]);

    // A second of lesson: shorter than ffmpeg's probing, and likely without a keyframe yet.
    const clip = await publishClip(host);
    cleanups.push(clip);
    await host.stateWhere((st) => st.mainVenue === '教育中心');
    await host.request({ type: 'record', on: true });
    await host.stateWhere((st) => st.recording);
    await lessonTime(clip, 1);
    await host.request({ type: 'record', on: false });
    await host.stateWhere((st) => !st.recording);
    const short = (await recordings(r)).find((x) => x.id !== empty!.id)!;
    expect(short.files.map((f) => f.name)).toEqual(['program.webm']);
    const program = joinPath(r.dataDir, 'recordings', short.id, 'program.webm');
    const info = await probe(program);
    expect(info.audio?.codec).toBe('opus');
    expect(info.duration).toBeGreaterThan(0.5);
    expect(info.duration).toBeLessThan(3);
    expect(short.duration).toBeGreaterThan(0.5);
    expect(decodeErrors(program)).toEqual([]);

    expect(errors).toEqual([]);
    expect(interrupted).toEqual([]);
  });
});
