// The county side of a resumable upload: chunks land only where the confirmed bytes end, survive a restart,
// and a completion verifies every SHA-256 before anything reaches the library.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JiaoyanError } from '../../src/core/errors.js';
import { MAX_OPEN_UPLOADS, UploadStore, uploadId, UPLOAD_FILE } from '../../src/store/upload-store.js';
import { UploadTokens } from '../../src/store/upload-tokens.js';
import { tempDir } from '../helpers/cli.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const RECORDING = '0f2a9c1e-1111-4222-8333-444455556666';
const meta = { title: '三年级数学', startedAt: '2026-11-02T08:00:00.000Z', venues: ['实验小学'] };

async function failure(p: Promise<unknown>): Promise<JiaoyanError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(JiaoyanError);
  return err as JiaoyanError;
}

describe('UploadStore', () => {
  it('appends only at the confirmed offset, keeps the count across a restart, and verifies on completion', async () => {
    const dir = tempDir();
    const program = Buffer.from('a'.repeat(1000) + 'b'.repeat(500));
    const store = new UploadStore(dir);
    const m = await store.open('实验小学', RECORDING, meta, [{ name: 'program.webm', size: program.length, sha256: sha(program) }]);
    expect(m.id).toBe(uploadId('实验小学', RECORDING));
    expect(await store.received(m.id, 'program.webm')).toBe(0);
    expect(await store.append(m.id, 'program.webm', 0, program.subarray(0, 600))).toBe(600);

    const behind = await failure(store.append(m.id, 'program.webm', 0, program.subarray(0, 600)));
    expect(behind.code).toBe('UPLOAD_OFFSET');
    expect(behind.params).toMatchObject({ received: 600, offset: 0 });
    const ahead = await failure(store.append(m.id, 'program.webm', 900, program.subarray(900)));
    expect(ahead.code).toBe('UPLOAD_OFFSET');
    expect((await failure(store.append(m.id, 'program.webm', 600, Buffer.alloc(901)))).kind).toBe('usage'); // past the declared size
    expect((await failure(store.append(m.id, 'seat-1.webm', 0, Buffer.alloc(1)))).code).toBe('NOT_FOUND');
    expect((await failure(store.complete(m.id, join(dir, 'lib', m.id), async () => 'published'))).code).toBe('UPLOAD_INCOMPLETE');

    // The relay restarts: a new store finds the same upload and its confirmed bytes; a rerun's open keeps them.
    const again = new UploadStore(dir);
    await again.open('实验小学', RECORDING, { ...meta, title: '三年级数学（修订）' }, [{ name: 'program.webm', size: program.length, sha256: sha(program) }]);
    expect(await again.received(m.id, 'program.webm')).toBe(600);
    expect(await again.append(m.id, 'program.webm', 600, program.subarray(600))).toBe(program.length);

    const target = join(dir, 'lib', m.id);
    const seen = await again.complete(m.id, target, async (folder, up) => ({ folder, title: up.meta.title }));
    expect(seen).toEqual({ folder: target, title: '三年级数学（修订）' });
    expect(sha(readFileSync(join(target, 'program.webm')))).toBe(sha(program));
    expect(existsSync(again.folderOf(m.id))).toBe(false);
    expect(await again.get(m.id)).toBeUndefined();
  });

  it('discards a file whose hash differs, so a rerun sends it again', async () => {
    const dir = tempDir();
    const good = Buffer.from('the lesson, as recorded');
    const store = new UploadStore(dir);
    const m = await store.open('城关中学', RECORDING, meta, [{ name: 'chat.json', size: 2, sha256: sha(Buffer.from('[]')) }, { name: 'program.webm', size: good.length, sha256: sha(good) }]);
    await store.append(m.id, 'chat.json', 0, Buffer.from('[]'));
    const damaged = Buffer.from(good);
    damaged[3] = 0x21;
    await store.append(m.id, 'program.webm', 0, damaged);
    let published = 0;
    const target = join(dir, 'lib', m.id);
    const err = await failure(store.complete(m.id, target, async () => ++published));
    expect(err.code).toBe('UPLOAD_HASH_MISMATCH');
    expect(err.params).toEqual({ file: 'program.webm' });
    expect(published).toBe(0);
    expect(existsSync(target)).toBe(false);
    expect(await store.received(m.id, 'program.webm')).toBe(0);
    expect(await store.received(m.id, 'chat.json')).toBe(2); // verified, kept under its final name
    await store.append(m.id, 'program.webm', 0, good);
    expect(await store.complete(m.id, target, async () => ++published)).toBe(1);
    expect(readFileSync(join(target, 'program.webm'), 'utf8')).toBe('the lesson, as recorded');
    expect(readFileSync(join(target, 'chat.json'), 'utf8')).toBe('[]');
  });

  it('starts a file again when the sender declares other bytes for it', async () => {
    const store = new UploadStore(tempDir());
    const first = Buffer.from('first transcode');
    const m = await store.open('实验小学', RECORDING, meta, [{ name: 'program.mp4', size: first.length, sha256: sha(first) }]);
    await store.append(m.id, 'program.mp4', 0, first.subarray(0, 5));
    const second = Buffer.from('second transcode!');
    await store.open('实验小学', RECORDING, meta, [{ name: 'program.mp4', size: second.length, sha256: sha(second) }]);
    expect(await store.received(m.id, 'program.mp4')).toBe(0);
  });

  it('serialises concurrent appends: exactly one chunk at an offset wins', async () => {
    const store = new UploadStore(tempDir());
    const data = Buffer.alloc(4096, 7);
    const m = await store.open('实验小学', RECORDING, meta, [{ name: 'program.webm', size: data.length, sha256: sha(data) }]);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.append(m.id, 'program.webm', 0, data.subarray(0, 1024))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await store.received(m.id, 'program.webm')).toBe(1024);
  });

  it('limits how many unfinished uploads one school may hold', async () => {
    const store = new UploadStore(tempDir());
    const spec = [{ name: 'program.webm', size: 1, sha256: 'a'.repeat(64) }];
    const ids = Array.from({ length: MAX_OPEN_UPLOADS + 1 }, (_, i) => `0f2a9c1e-1111-4222-8333-${String(i).padStart(12, '0')}`);
    for (const rid of ids.slice(0, -1)) await store.open('实验小学', rid, meta, spec);
    expect((await failure(store.open('实验小学', ids.at(-1)!, meta, spec))).code).toBe('UPLOAD_TOO_MANY');
    await store.open('实验小学', ids[0]!, meta, spec); // a rerun of an open one is fine
    await store.open('城关中学', ids.at(-1)!, meta, spec); // another school is not held back
    await store.forget(uploadId('实验小学', ids[1]!));
    await store.open('实验小学', ids.at(-1)!, meta, spec);
  });

  it('accepts only the upload file names and ids of its own shape', () => {
    for (const ok of ['program.webm', 'program.mp4', 'seat-1.webm', 'seat-12.webm', 'chat.json']) expect(UPLOAD_FILE.test(ok)).toBe(true);
    for (const bad of ['../program.webm', 'program.webm/..', '.program.webm', 'program.webm.part', 'seat-.webm', 'x.json', '%2e%2e', 'chat.json\n']) expect(UPLOAD_FILE.test(bad)).toBe(false);
    expect(() => new UploadStore(tempDir()).folderOf('../../etc/passwd-0000000000000000000000')).toThrow(JiaoyanError);
    expect(uploadId('实验小学', RECORDING)).not.toBe(uploadId('城关中学', RECORDING));
    expect(uploadId('实验小学', RECORDING)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('UploadTokens', () => {
  it('keeps only hashes, in a file only the owner can read, and names the school of a token', async () => {
    const dir = tempDir();
    const tokens = new UploadTokens(dir);
    const a = await tokens.create('实验小学');
    const b = await tokens.create('城关中学');
    expect(a.length).toBeGreaterThanOrEqual(22); // ≥ 128 random bits as base64url
    expect(await tokens.schoolOf(a)).toBe('实验小学');
    expect(await tokens.schoolOf(b)).toBe('城关中学');
    expect(await tokens.schoolOf(a + 'x')).toBeUndefined();
    const file = join(dir, 'upload-tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(a);
    expect(text).toContain(createHash('sha256').update(a).digest('hex'));
    expect(await tokens.revoke('实验小学')).toBe(1);
    expect(await tokens.schoolOf(a)).toBeUndefined();
    expect(await tokens.schoolOf(b)).toBe('城关中学');
  });
});
