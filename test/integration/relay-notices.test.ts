// Voice notices through a real relay: who may add them, what the relay accepts (one audio stream, ≤ 60 s, ≤ 2 MiB),
// how it stores them (Opus kept as sent, other audio transcoded), how members fetch them (Range, `?m=`), and that
// everyone connected hears of a new one while later joiners find it in their list.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import type { VoiceNotice } from '../../src/signaling/protocol.js';
import { probeJson } from '../helpers/media.js';
import { mp3, noticeRequest, opusOgg, streamedWebm, videoOnly, wav, type NoticeRequest } from '../helpers/notices.js';
import { NOTICE_UPLOADS_PER_RELAY } from '../../src/server/notices-api.js';
import { createSession, relayFixture, until, type TestRelay } from '../helpers/relay.js';
import { tempDir } from '../helpers/cli.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, extra: { hostKey?: string; monitor?: boolean } = {}) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...extra });
  cleanups.push(() => c.close());
  return c;
}

const tokenOf = (c: ParticipantClient) => c.joined.memberToken!;

/** A session with its host connected. */
async function hostedSession(r: TestRelay) {
  const s = await createSession(r, { title: '语文组教研', kind: 'prep' });
  const host = await join(r, s.code, '张老师', '实验小学', { hostKey: s.hostKey });
  const folder = joinPath(r.dataDir, 'notices', s.id);
  const post = (file: Buffer, opts: NoticeRequest = {}) =>
    noticeRequest(r.running.url, r.ca, 'POST', `/api/sessions/${s.id}/notices`, { token: tokenOf(host), body: file, ...opts });
  const get = (id: string, opts: NoticeRequest = {}) => noticeRequest(r.running.url, r.ca, 'GET', `/api/sessions/${s.id}/notices/${id}`, { token: tokenOf(host), ...opts });
  /** What the session's folder holds besides its catalogue (stored notices, and any temp file left over). */
  const files = () => (existsSync(folder) ? readdirSync(folder).filter((f) => f !== 'notices.json') : []);
  return { s, host, folder, post, get, files };
}

const nextNotice = (c: ParticipantClient) => new Promise<VoiceNotice>((resolve) => c.once('notice', resolve));

/** A promise the test lets go of when it wants. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('adding voice notices', () => {
  it('lets the host add one: everyone connected hears of it, a later joiner finds it, and it is stored as sent', async () => {
    const r = await relay();
    const { s, host, folder, post, get } = await hostedSession(r);
    const viewer = await join(r, s.code, '李老师', '东山小学');
    const monitor = await join(r, s.code, 'IT', '教育中心', { monitor: true });
    await Promise.all([host.noticeList(), viewer.noticeList(), monitor.noticeList()]);
    expect(viewer.notices).toEqual([]);
    const heard = Promise.all([nextNotice(host), nextNotice(viewer), nextNotice(monitor)]);
    const sent = readFileSync(await opusOgg(3));
    const res = await post(sent, { headers: { 'content-type': 'audio/ogg' } });
    expect(res.status).toBe(201);
    const notice = res.json as unknown as VoiceNotice;
    expect(notice).toMatchObject({ by: '张老师', venue: '实验小学', mime: 'audio/ogg', bytes: sent.length });
    expect(notice.id).toMatch(/^[0-9a-f]{16}$/);
    expect(notice.seconds).toBeGreaterThan(2.9);
    expect(notice.seconds).toBeLessThan(3.1);
    expect(await heard).toEqual([notice, notice, notice]);

    const later = await join(r, s.code, '王老师', '西河小学');
    await later.noticeList();
    expect(later.notices).toEqual([notice]);

    const back = await get(notice.id);
    expect(back.status).toBe(200);
    expect(back.headers['content-type']).toBe('audio/ogg');
    expect(back.body.equals(sent)).toBe(true);
    expect(statSync(joinPath(folder, `${notice.id}.ogg`)).mode & 0o777).toBe(0o600);
    expect(statSync(joinPath(folder, 'notices.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses viewers without a seat (403) until they hold one', async () => {
    const r = await relay();
    const { s } = await hostedSession(r);
    const viewer = await join(r, s.code, '李老师', '东山小学');
    const file = readFileSync(await opusOgg(2));
    const path = `/api/sessions/${s.id}/notices`;
    const refused = await noticeRequest(r.running.url, r.ca, 'POST', path, { token: tokenOf(viewer), body: file });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'NOTICE_NOT_ALLOWED' } });
    await viewer.takeSeat();
    const added = await noticeRequest(r.running.url, r.ca, 'POST', path, { token: tokenOf(viewer), body: file });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ by: '李老师', venue: '东山小学' });
  });

  it('refuses non-members: no token, a made-up one, another session’s, one whose connection has closed (403)', async () => {
    const r = await relay();
    const { s, host, post, get } = await hostedSession(r);
    const added = await post(readFileSync(await opusOgg(2)));
    const id = String(added.json.id);
    const other = await createSession(r, { title: '数学组', kind: 'prep' });
    const otherHost = await join(r, other.code, '赵老师', '五小', { hostKey: other.hostKey });
    const gone = await join(r, s.code, '钱老师', '六小', { hostKey: s.hostKey });
    const goneToken = tokenOf(gone);
    gone.close();
    await host.stateWhere((st) => !st.participants.some((p) => p.name === '钱老师'));
    const file = readFileSync(await opusOgg(2));
    for (const token of [undefined, randomBytes(16).toString('base64url'), tokenOf(otherHost), goneToken]) {
      const up = await post(file, { ...(token ? { token } : { token: '' }) });
      expect(up.status, String(token)).toBe(403);
      expect(up.json).toMatchObject({ error: { code: 'MEMBER_TOKEN_WRONG' } });
      const down = await get(id, { token: token ?? '' });
      expect(down.status).toBe(403);
    }
  });

  it('takes one upload at a time from a participant and two at once in the relay; others get 429 NOTICE_BUSY', async () => {
    const r = await relay();
    const { s, host, post, files } = await hostedSession(r);
    const li = await join(r, s.code, '李老师', '东山小学');
    const wang = await join(r, s.code, '王老师', '西河小学');
    await li.takeSeat();
    await wang.takeSeat();
    const path = `/api/sessions/${s.id}/notices`;
    const postAs = (c: ParticipantClient, opts: NoticeRequest = {}) => noticeRequest(r.running.url, r.ca, 'POST', path, { token: tokenOf(c), body: file, ...opts });
    const file = readFileSync(await opusOgg(2));
    /** Uploads the relay is receiving (their temp files). */
    const receiving = () => files().filter((f) => f.endsWith('.partial')).length;
    const half = Math.ceil(file.length / 2);

    // The host's upload stops halfway: the relay is in the middle of it.
    const hostHold = gate();
    const hostUpload = post(file, { chunked: half, hold: hostHold.promise });
    await until(() => receiving() === 1, 'the host’s upload under way');
    const again = await post(file);
    expect(again.status).toBe(429);
    expect(again.json).toMatchObject({ error: { code: 'NOTICE_BUSY' } });
    expect(again.headers['retry-after']).toMatch(/^\d+$/);

    // A seat holder's upload takes the relay's other place; a third one, from someone else, is refused meanwhile.
    expect(NOTICE_UPLOADS_PER_RELAY).toBe(2);
    const liHold = gate();
    const liUpload = postAs(li, { chunked: half, hold: liHold.promise });
    await until(() => receiving() === 2, 'the second upload under way');
    const third = await postAs(wang);
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({ error: { code: 'NOTICE_BUSY' } });

    // The ones under way finish as usual, and their places are free again.
    hostHold.open();
    liHold.open();
    expect((await hostUpload).status).toBe(201);
    expect((await liUpload).status).toBe(201);
    expect((await postAs(wang)).status).toBe(201);
    expect((await post(file)).status).toBe(201);
    await until(() => host.notices.length === 4, 'the four notices at the host');
    expect(host.notices.map((n) => n.by).sort()).toEqual(['张老师', '张老师', '李老师', '王老师'].sort());
    expect(files().filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('refuses a notice longer than 60 s (NOTICE_TOO_LONG) and stores nothing', async () => {
    const r = await relay();
    const { post, files } = await hostedSession(r);
    const res = await post(readFileSync(await opusOgg(61)));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'NOTICE_TOO_LONG', params: { max: 60 } } });
    expect(files()).toEqual([]);
  });

  it('refuses more than 2 MiB with 413 while reading, declared or streamed, and leaves no file behind', async () => {
    const r = await relay();
    const { post, files, host } = await hostedSession(r);
    const big = randomBytes(3 * 1024 * 1024);
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ error: { code: 'NOTICE_TOO_LARGE' } });
    const streamed = await post(big, { chunked: 64 * 1024 });
    expect(streamed.status).toBe(413);
    expect(streamed.json).toMatchObject({ error: { code: 'NOTICE_TOO_LARGE' } });
    expect(files()).toEqual([]);
    await host.noticeList();
    expect(host.notices).toEqual([]);
  });

  it('refuses what is not a voice recording: text, pictures without sound', async () => {
    const r = await relay();
    const { post, files } = await hostedSession(r);
    const dir = tempDir();
    writeFileSync(joinPath(dir, 'notice.txt'), '请各位老师下午三点到会议室。\n'.repeat(50));
    for (const file of [joinPath(dir, 'notice.txt'), await videoOnly()]) {
      const res = await post(readFileSync(file));
      expect(res.status, file).toBe(400);
      expect(res.json, file).toMatchObject({ error: { code: 'NOTICE_NOT_AUDIO' } });
    }
    expect(files()).toEqual([]);
  });

  it('transcodes MP3 and WAV to Opus in Ogg, and remuxes a recorder’s WebM without touching its Opus', async () => {
    const r = await relay();
    const { post, get, files } = await hostedSession(r);
    for (const file of [await mp3(4), await wav(4)]) {
      const res = await post(readFileSync(file));
      expect(res.status, file).toBe(201);
      expect(res.json, file).toMatchObject({ mime: 'audio/ogg' });
      const stored = await get(String(res.json.id));
      const dir = tempDir();
      writeFileSync(joinPath(dir, 'stored.ogg'), stored.body);
      const info = await probeJson(joinPath(dir, 'stored.ogg'));
      expect(info.format.format_name).toBe('ogg');
      expect(info.streams.map((x) => x.codec_name)).toEqual(['opus']);
      expect(Number(info.format.duration)).toBeGreaterThan(3.9);
    }
    const recorded = await streamedWebm(3);
    expect(Number((await probeJson(recorded)).format.duration ?? 0) || 0).toBe(0);
    const res = await post(readFileSync(recorded), { headers: { 'content-type': 'audio/webm;codecs=opus' } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ mime: 'audio/webm' });
    const dir = tempDir();
    writeFileSync(joinPath(dir, 'stored.webm'), (await get(String(res.json.id))).body);
    const info = await probeJson(joinPath(dir, 'stored.webm'));
    expect(info.streams.map((x) => x.codec_name)).toEqual(['opus']);
    expect(Number(info.format.duration)).toBeGreaterThan(2.9);
    expect(files().sort()).toHaveLength(3);
    expect(files().filter((f) => !/^[0-9a-f]{16}\.(ogg|webm)$/.test(f))).toEqual([]);
  });
});

describe('fetching voice notices', () => {
  it('serves byte ranges to members, with the token in the header or in ?m=', async () => {
    const r = await relay();
    const { s, post, get } = await hostedSession(r);
    const sent = readFileSync(await opusOgg(5));
    const id = String((await post(sent)).json.id);
    const viewer = await join(r, s.code, '李老师', '东山小学');
    const part = await get(id, { token: tokenOf(viewer), inQuery: true, headers: { range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-1099/${sent.length}`);
    expect(part.body.equals(sent.subarray(100, 1100))).toBe(true);
    const tail = await get(id, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(sent.subarray(sent.length - 10))).toBe(true);
    const past = await get(id, { headers: { range: `bytes=${sent.length}-` } });
    expect(past.status).toBe(416);
    const head = await noticeRequest(r.running.url, r.ca, 'HEAD', `/api/sessions/${s.id}/notices/${id}`, { token: tokenOf(viewer) });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(sent.length);
  });

  it('refuses ids that are not notice ids, so no path leaves the session’s folder', async () => {
    const r = await relay();
    const { s, host, post, get } = await hostedSession(r);
    expect((await post(readFileSync(await opusOgg(2)))).status).toBe(201);
    for (const id of ['..%2F..%2Fadmin-token', '..%2Fnotices.json', 'notices.json', '%00', '..%5C..%5Cadmin-token', '0123456789abcdef.ogg', 'ZZZZZZZZZZZZZZZZ', '%E0%A4%A', '0123456789abcdef']) {
      const res = await get(id);
      expect(res.status, id).toBe(404);
      expect(res.json, id).toMatchObject({ error: { code: 'NOTICE_UNKNOWN' } });
    }
    const escape = await noticeRequest(r.running.url, r.ca, 'GET', `/api/sessions/..%2F..%2Ftls/notices/ca.pem`, { token: tokenOf(host) });
    expect(escape.status).toBe(403);
    const up = await noticeRequest(r.running.url, r.ca, 'GET', `/api/sessions/${s.id}/notices/../../../admin-token`, { token: tokenOf(host) });
    expect(up.status).not.toBe(200);
    expect(up.body.toString('utf8')).not.toContain(r.token);
  });
});
