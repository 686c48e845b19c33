// `library publish <id> --to <county relay>`: a school's approved recording reaches the county relay's library
// through a chunked upload that survives a dropped link. Two real relays, the real `jiaoyan` binary; the dropped
// link is a TCP relay that stops passing the sender's bytes half way (a deterministic stall, no timing).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probe } from '../../src/media/probe.js';
import { uploadId } from '../../src/store/upload-store.js';
import { ndjson, runCli, spawnCli } from '../helpers/cli.js';
import { api, createSession, lessonTime, relayFixture, text, type TestRelay, publishingHost } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();
const home = (r: TestRelay) => ({ env: { JIAOYAN_HOME: r.dataDir } });
const caOf = (r: TestRelay) => join(r.dataDir, 'tls', 'ca.pem');
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Record a short lesson (with a remark in the discussion) at `school`; returns the recording's id (pending). */
async function recordLesson(school: TestRelay): Promise<string> {
  const s = await createSession(school, { title: '三年级数学公开课', kind: 'lesson' });
  const { host, clip } = await publishingHost(school, s, cleanups);
  expect((await api(school, 'POST', `/api/sessions/${s.id}/record`, { on: true })).status).toBe(200);
  await lessonTime(clip, 1.5);
  await host.request({ type: 'chat', text: '导入部分很好' });
  await lessonTime(clip, 1.5);
  expect((await api(school, 'POST', `/api/sessions/${s.id}/record`, { on: false })).status).toBe(200);
  const { recordings } = (await api(school, 'GET', '/api/recordings')).json as { recordings: { id: string; state: string }[] };
  expect(recordings).toEqual([expect.objectContaining({ state: 'pending' })]);
  return recordings[0]!.id;
}

/** `library publish <id> --to <county>` run at the school. */
function publishArgs(id: string, county: TestRelay, url: string, token: string | undefined, extra: string[] = []): string[] {
  return ['--json', 'library', 'publish', id, '--to', url, ...(token ? ['--token', token] : []), '--ca', caOf(county), ...extra];
}

async function countyLibrary(county: TestRelay) {
  const list = await runCli(['--json', 'library', 'list', '--ca', caOf(county)], home(county));
  expect(list.code, list.stderr).toBe(0);
  return (JSON.parse(list.stdout) as { recordings: { id: string; state: string; title: string; origin?: unknown; files: { name: string; sha256?: string }[]; history: { by: string }[] }[] }).recordings;
}

/** A TCP relay to `port` that passes the client's first `budget` bytes on and then holds the rest: a link that stalls. */
async function stallingLink(port: number, budget: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  let left = budget;
  const server = createServer((client) => {
    const up = connect(port, '127.0.0.1');
    sockets.add(client).add(up);
    client.on('data', (d: Buffer) => {
      const part = d.subarray(0, Math.max(0, left));
      left -= part.length;
      if (part.length) up.write(part);
    });
    up.on('data', (d: Buffer) => client.write(d));
    for (const [a, b] of [[client, up], [up, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** PUT raw bytes to the county (the CLI's chunks, by hand). */
function put(r: TestRelay, path: string, body: Buffer, token: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { received?: number; error?: { code: string; params?: Record<string, unknown> } } }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, r.running.url), { method: 'PUT', ca: r.ca, agent: false, headers: { authorization: `Bearer ${token}`, 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('library publish --to (county upload)', () => {
  it('refuses what it must, resumes an interrupted upload, and the county publishes the same bytes', async () => {
    const school = await relay();
    const county = await relay();
    const id = await recordLesson(school);
    const made = await runCli(['--json', 'library', 'token', 'create', '--school', '实验小学'], home(county));
    expect(made.code, made.stderr).toBe(0);
    const { token, school: named } = JSON.parse(made.stdout) as { token: string; school: string };
    expect(named).toBe('实验小学');
    expect(readFileSync(join(county.dataDir, 'upload-tokens.json'), 'utf8')).not.toContain(token);

    // Not approved yet: refused at the school, nothing sent.
    const early = await runCli(publishArgs(id, county, county.running.url, token), home(school));
    expect(early.code).toBe(4);
    expect(ndjson(early.stdout).at(-1)).toMatchObject({ event: 'error', code: 'RECORDING_STATE' });
    expect((await runCli(['library', 'approve', id.slice(0, 8)], home(school))).code).toBe(0);

    // The county cannot be reached: exit 3, and the message says a rerun resumes.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const away = await runCli(publishArgs(id, county, `https://127.0.0.1:${closedPort}`, token), home(school));
    expect(away.code).toBe(3);
    expect(ndjson(away.stdout).at(-1)).toMatchObject({ event: 'error', code: 'PUBLISH_UNREACHABLE', hint: expect.stringContaining('run the same command again') });

    // No token, a wrong token: the county refuses (exit 4); an upload token opens nothing but uploads.
    const none = await runCli(publishArgs(id, county, county.running.url, undefined), home(school));
    expect(none.code).toBe(4);
    const wrong = await runCli(publishArgs(id, county, county.running.url, 'x'.repeat(32)), home(school));
    expect(wrong.code).toBe(4);
    expect(ndjson(wrong.stdout).at(-1)).toMatchObject({ event: 'error', code: 'PUBLISH_TOKEN_WRONG' });
    expect((await api(county, 'GET', '/api/recordings', undefined, token)).status).toBe(401);
    expect((await api(county, 'GET', '/api/sessions', undefined, token)).status).toBe(401);
    expect(await countyLibrary(county)).toEqual([]);

    // The link stalls half way through the program: the sender is killed after chunks were confirmed.
    const program = join(school.dataDir, 'recordings', id, 'program.webm');
    const size = statSync(program).size;
    expect(size).toBeGreaterThan(64 * 1024);
    const link = await stallingLink(county.running.port, Math.floor(size / 2));
    cleanups.push(() => link.close());
    const first = spawnCli(publishArgs(id, county, `https://127.0.0.1:${link.port}`, token, ['--chunk-size', '4096']), home(school));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => first.on('exit', (code, sig) => resolve(sig ?? code)));
    const events: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      let rest = '';
      first.stdout!.on('data', (d: Buffer) => {
        const lines = (rest + d.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        events.push(...lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>));
        if (events.filter((e) => e.event === 'progress' && (e.sent as number) > 0).length >= 3) resolve();
      });
      first.on('exit', (code) => reject(new Error(`the first run ended by itself (${code}): ${JSON.stringify(events.at(-1))}`)));
    });
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    link.close();
    expect(events[0]).toMatchObject({ event: 'progress', file: 'program.webm', sent: 0, total: size, resumedFrom: 0 });
    const confirmed = Math.max(...events.map((e) => (e.sent as number) ?? 0));

    // The county holds part of the program (a chunk in flight at the kill may have landed too; never all of it).
    const remoteId = uploadId('实验小学', id);
    const status = (await api(county, 'GET', `/api/uploads/${remoteId}`, undefined, token)).json as { files: { name: string; received: number }[] };
    const held = status.files.find((f) => f.name === 'program.webm')!.received;
    expect(held).toBeGreaterThanOrEqual(confirmed);
    expect(held).toBeLessThan(size);

    // The rerun resumes where the county's confirmed bytes end, and the county checks the hash.
    const rerun = await runCli(publishArgs(id, county, county.running.url, token, ['--chunk-size', '16384']), home(school));
    expect(rerun.code, rerun.stderr + rerun.stdout.slice(-500)).toBe(0);
    const out = ndjson(rerun.stdout);
    expect(out[0]).toMatchObject({ event: 'progress', file: 'program.webm', total: size });
    const resumedFrom = out[0]!.resumedFrom as number;
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeGreaterThanOrEqual(confirmed);
    expect(out[0]!.sent).toBe(resumedFrom);
    const done = out.at(-1)!;
    expect(done).toMatchObject({ event: 'published', id, remoteId, resumed: true, origin: { school: '实验小学', recordingId: id } });
    expect(out.filter((e) => e.event === 'progress' && e.file === 'program.webm').at(-1)).toMatchObject({ sent: size });

    const library = await countyLibrary(county);
    expect(library).toEqual([expect.objectContaining({ id: remoteId, state: 'published', title: '三年级数学公开课', origin: { school: '实验小学', recordingId: id } })]);
    expect(library[0]!.history).toEqual([expect.objectContaining({ by: 'upload:实验小学' })]);
    const arrived = join(county.dataDir, 'recordings', remoteId, 'program.webm');
    expect(sha256(arrived)).toBe(sha256(program));
    expect(library[0]!.files).toEqual([expect.objectContaining({ name: 'program.webm', sha256: sha256(program) })]);
    const shown = JSON.parse((await runCli(['--json', 'library', 'show', remoteId.slice(0, 8), '--ca', caOf(county)], home(county))).stdout) as { chat: { from: string; text: string }[]; duration: number };
    expect(shown.chat).toEqual([expect.objectContaining({ from: '张老师', text: '导入部分很好' })]);
    expect(shown.duration).toBeGreaterThan(0);

    // At the school it is published now; publishing again changes nothing at the county.
    const local = JSON.parse((await runCli(['--json', 'library', 'show', id, '--ca', caOf(school)], home(school))).stdout) as { state: string };
    expect(local.state).toBe('published');
    const again = await runCli(publishArgs(id, county, county.running.url, token).slice(1), home(school)); // human output
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`✓ ${id.slice(0, 8)} published to ${county.running.url} as ${remoteId.slice(0, 8)}\n`);
    expect(await countyLibrary(county)).toHaveLength(1);
  });

  it('transcodes with a preset once, and the admin token names the school', async () => {
    const school = await relay();
    const county = await relay();
    const id = await recordLesson(school);
    expect((await api(school, 'POST', `/api/recordings/${id}/approve`, {})).status).toBe(200);
    const args = publishArgs(id, county, county.running.url, county.token, ['--preset', 'lowband-360p', '--school', '城关小学']);
    const run = await runCli(args, home(school));
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toContain('lowband-360p');
    const done = ndjson(run.stdout).at(-1) as { remoteId: string; files: { name: string; sha256: string }[]; origin: unknown };
    expect(done.origin).toEqual({ school: '城关小学', recordingId: id });
    const sent = done.files.find((f) => f.name === 'program.mp4')!;
    const arrived = join(county.dataDir, 'recordings', done.remoteId, 'program.mp4');
    expect(sha256(arrived)).toBe(sent.sha256);
    expect((await probe(arrived)).video?.codec).toBe('h264');
    // The county's player plays the transcoded program from its link.
    const link = new URL(((await api(county, 'GET', `/api/recordings/${done.remoteId}`)).json as { link: string }).link);
    expect(await text(county, `${link.pathname}${link.search}`)).toContain(`/media/${done.remoteId}/program.mp4`);
    const media = await new Promise<{ status: number; type: string | undefined; bytes: number }>((resolve, reject) => {
      request(new URL(`/media/${done.remoteId}/program.mp4${link.search}`, county.running.url), { ca: county.ca, headers: { range: 'bytes=0-99' } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], bytes }));
      }).on('error', reject).end();
    });
    expect(media).toEqual({ status: 206, type: 'video/mp4', bytes: 100 });

    // A rerun reuses the transcode (same bytes, no new encode) and finds it published.
    const rerun = await runCli(args, home(school));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).not.toContain('lowband-360p');
    expect(ndjson(rerun.stdout).at(-1)).toMatchObject({ remoteId: done.remoteId, files: done.files });
  });

  it('answers garbage with 4xx and keeps each school to its own uploads', async () => {
    const county = await relay();
    const tokenA = JSON.parse((await runCli(['--json', 'library', 'token', 'create', '--school', 'A校'], home(county))).stdout).token as string;
    const tokenB = JSON.parse((await runCli(['--json', 'library', 'token', 'create', '--school', 'B校'], home(county))).stdout).token as string;
    const body = Buffer.from('0123456789');
    const declare = (token: string, extra: Record<string, unknown> = {}) => api(county, 'POST', '/api/uploads', {
      origin: { school: 'ignored', recordingId: '0f2a9c1e-1111-4222-8333-444455556666' },
      meta: { title: '课', startedAt: '2026-11-02T08:00:00Z', venues: ['A校'] },
      files: [{ name: 'program.webm', size: body.length, sha256: createHash('sha256').update(body).digest('hex') }], ...extra,
    }, token);

    expect((await declare(tokenA, { files: [{ name: '../x.webm', size: 1, sha256: 'a'.repeat(64) }] })).status).toBe(400);
    expect((await declare(tokenA, { files: [{ name: 'program.webm', size: 9 * 1024 ** 3, sha256: 'a'.repeat(64) }] })).status).toBe(400);
    expect((await api(county, 'POST', '/api/uploads', 'not an object', tokenA)).status).toBe(400);
    const a = await declare(tokenA);
    expect(a.status).toBe(200);
    const upload = a.json.id as string;
    const b = await declare(tokenB);
    expect(b.json.id).not.toBe(upload); // the school is the token's, not the body's

    expect((await put(county, `/api/uploads/${upload}/files/..%2f..%2fadmin-token?offset=0`, body, tokenA)).status).toBe(400);
    expect((await put(county, `/api/uploads/${upload}/files/program.webm?offset=0`, body, tokenB)).status).toBe(404);
    expect((await put(county, `/api/uploads/${upload}/files/program.webm?offset=x`, body, tokenA)).status).toBe(400);
    expect((await put(county, `/api/uploads/${upload}/files/program.webm?offset=0`, Buffer.alloc(0), tokenA, { 'content-length': String(9 * 1024 ** 2) })).status).toBe(413);
    expect((await put(county, `/api/uploads/${upload}/files/program.webm?offset=0`, body.subarray(0, 4), tokenA)).json).toEqual({ received: 4 });
    const behind = await put(county, `/api/uploads/${upload}/files/program.webm?offset=0`, body.subarray(0, 4), tokenA);
    expect(behind.status).toBe(409);
    expect(behind.json.error).toMatchObject({ code: 'UPLOAD_OFFSET', params: { received: 4 } });
    expect((await api(county, 'POST', `/api/uploads/${upload}/complete`, {}, tokenA)).status).toBe(409);
    expect((await put(county, `/api/uploads/${upload}/files/program.webm?offset=4`, Buffer.from('XXXXXX'), tokenA)).json).toEqual({ received: 10 });
    const damaged = await api(county, 'POST', `/api/uploads/${upload}/complete`, {}, tokenA);
    expect(damaged.status).toBe(422);
    expect(damaged.json.error).toMatchObject({ code: 'UPLOAD_HASH_MISMATCH' });
    expect((await api(county, 'GET', `/api/uploads/${upload}`, undefined, tokenA)).json).toMatchObject({ files: [{ name: 'program.webm', received: 0 }] });
    expect((await api(county, 'GET', '/api/recordings')).json).toEqual({ recordings: [] });
    expect((await api(county, 'GET', '/healthz', undefined, null)).status).toBe(200); // still up
  });
});
