// Recording at the relay: the program feed across two handoffs becomes one continuous, cleanly decodable WebM;
// each seat gets its own file; start/stop/start gives two playable recordings; the catalogue tracks review.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { locate } from '../../src/media/locate.js';
import { probe } from '../../src/media/probe.js';
import { api, createSession, lessonTime, publishClip, relayFixture, type TestRelay } from '../helpers/relay.js';
import { decodeErrors } from '../helpers/media.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, hostKey?: string) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

/** GET a path of the relay (trusting its CA), with extra headers; status, headers and the body's bytes. */
function get(r: TestRelay, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(new URL(path, r.running.url), { ca: r.ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('recording at the relay', () => {
  it('records the program across two handoffs into one clean file, and each seat into its own', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '城乡同步课堂', kind: 'showcase', venues: ['教育中心:开场', '三小:第一节'] });
    const host = await join(r, s.code, '王主任', '教育中心', s.hostKey);
    const speaker = await join(r, s.code, '李老师', '三小');
    await host.request({ type: 'grantSeat', peerId: speaker.joined.peerId });
    const clip = await publishClip(host);
    cleanups.push(clip, await publishClip(speaker));
    await host.stateWhere((st) => st.mainVenue === '教育中心');

    await host.request({ type: 'record', on: true });
    await host.stateWhere((st) => st.recording);
    // The file's length is measured against what the publisher sent meanwhile (its sound: 20 ms a packet), not
    // against the wall clock: on a loaded machine the publisher itself can fall behind real time.
    const sentAtStart = clip.sent.audio;
    const started = Date.now();
    await lessonTime(clip, 2);
    await speaker.request({ type: 'chat', text: '导入部分很清楚' });
    const chatAt = (Date.now() - started) / 1000; // the discussion is placed by the wall clock
    await host.request({ type: 'pushVenue', venue: '三小' });
    await host.stateWhere((st) => st.mainVenue === '三小' && st.pendingVenue === null);
    await lessonTime(clip, 2);
    await host.request({ type: 'pushVenue', venue: '教育中心' });
    await host.stateWhere((st) => st.mainVenue === '教育中心' && st.pendingVenue === null);
    await lessonTime(clip, 2);
    await host.request({ type: 'record', on: false });
    const seconds = (clip.sent.audio - sentAtStart) * 0.02;
    await host.stateWhere((st) => !st.recording);

    const list = await api(r, 'GET', '/api/recordings');
    const recs = list.json.recordings as { id: string; state: string; files: { name: string; role: string; speaker?: string; duration: number }[]; duration: number; venues: string[] }[];
    expect(recs).toHaveLength(1);
    const rec = recs[0]!;
    expect(rec.state).toBe('pending');
    expect(rec.files.map((f) => [f.name, f.role, f.speaker ?? null])).toEqual([['program.webm', 'program', null], ['seat-1.webm', 'seat', '李老师']]);
    expect(rec.venues.sort()).toEqual(['三小', '教育中心']);
    const thumbs = (rec as unknown as { thumbnails: string[] }).thumbnails;
    expect(thumbs.length).toBeGreaterThanOrEqual(5);
    for (const t of thumbs) expect(statSync(joinPath(r.dataDir, 'recordings', rec.id, t)).size).toBeGreaterThan(500);
    const program = joinPath(r.dataDir, 'recordings', rec.id, 'program.webm');
    const info = await probe(program);
    expect(info.video).toBeDefined();
    expect(info.audio).toBeDefined();
    expect(info.duration).toBeGreaterThan(seconds - 1.5);
    expect(info.duration).toBeLessThan(seconds + 1.5);
    expect(decodeErrors(program)).toEqual([]);
    expect(decodeErrors(joinPath(r.dataDir, 'recordings', rec.id, 'seat-1.webm'))).toEqual([]);

    // The discussion during the recording, at its place in the file.
    const shown = (await api(r, 'GET', `/api/recordings/${rec.id}`)).json as { chat: { offset: number; from: string; text: string }[] };
    expect(shown.chat).toEqual([expect.objectContaining({ from: '李老师', text: '导入部分很清楚' })]);
    expect(Math.abs(shown.chat[0]!.offset - chatAt)).toBeLessThan(0.5);

    // Watching: only through the recording's link; the video is served with HTTP Range.
    const link = new URL((shown as unknown as { link: string }).link);
    expect(link.pathname).toBe(`/play/${rec.id}`);
    const media = `/media/${rec.id}/program.webm`;
    const size = statSync(program).size;
    const part = await get(r, `${media}${link.search}`, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${size}`);
    expect(part.body).toEqual(readFileSync(program).subarray(100, 200));
    expect((await get(r, `${media}${link.search}`, { range: `bytes=${size + 10}-` })).status).toBe(416);
    expect((await get(r, media)).status).toBe(403);
    expect((await get(r, `${media}?t=${'x'.repeat(43)}`)).status).toBe(403);
    expect((await get(r, `/media/${rec.id}/..%2Frecordings.json${link.search}`)).status).toBe(404);
    expect((await get(r, `/play/${rec.id}${link.search}`)).body.toString('utf8')).toContain('/assets/player.js');

    // Review: only along pending → approved → published; a reason for a rejection; who and when kept.
    expect((await api(r, 'POST', `/api/recordings/${rec.id}/publish`)).status).toBe(409);
    expect((await api(r, 'POST', `/api/recordings/${rec.id}/reject`, {})).status).toBe(400);
    expect((await api(r, 'POST', `/api/recordings/${rec.id}/approve`)).status).toBe(200);
    const published = await api(r, 'POST', `/api/recordings/${rec.id}/publish`);
    expect(published.json).toMatchObject({ state: 'published' });
    expect((published.json.history as { state: string; by: string }[]).map((h) => h.state)).toEqual(['recording', 'pending', 'approved', 'published']);
    expect((await api(r, 'GET', '/api/recordings', undefined, null)).status).toBe(401);
  });

  it('gives a playable file for each of two recordings of the same session', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '集体备课', kind: 'prep' });
    const host = await join(r, s.code, '王主任', '教育中心', s.hostKey);
    const clip = await publishClip(host);
    cleanups.push(clip);
    await host.stateWhere((st) => st.mainVenue === '教育中心');
    for (let i = 0; i < 2; i++) {
      await host.request({ type: 'record', on: true });
      await lessonTime(clip, 3);
      await host.request({ type: 'record', on: false });
    }
    const recs = (await api(r, 'GET', '/api/recordings')).json.recordings as { id: string; duration: number }[];
    expect(recs).toHaveLength(2);
    for (const rec of recs) {
      expect(rec.duration).toBeGreaterThan(2);
      expect(decodeErrors(joinPath(r.dataDir, 'recordings', rec.id, 'program.webm'))).toEqual([]);
    }
  });
});
