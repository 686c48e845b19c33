// Voice notices without a relay: the store keeps paths inside a session's folder and files atomically with mode
// 0600; the page's helpers format lengths, pick a recorder format, build addresses and merge new notices once.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NOTICES_PER_SESSION, NoticeStore } from '../../src/store/notice-store.js';
import { noticeAudioUrl, noticeLength, recorderType, withNotice } from '../../src/web/notices.js';
import { tempDir } from '../helpers/cli.js';

const SESSION = '6f1c2a8e-0d3b-4c55-9a7e-2b1f0c9d8e7a';
const fields = { by: '张老师', venue: '实验小学', seconds: 3.02, bytes: 5, mime: 'audio/ogg' as const };

async function prepared(store: NoticeStore): Promise<string> {
  const path = await store.tempPath(SESSION, '.ogg');
  writeFileSync(path, 'audio', { mode: 0o644 });
  return path;
}

describe('the notice store', () => {
  it('moves a prepared file into place as <id>.<ext> (0600) and lists it', async () => {
    const store = new NoticeStore(tempDir());
    const temp = await prepared(store);
    const n = await store.add(SESSION, temp, fields);
    expect(n).toMatchObject({ ...fields, id: expect.stringMatching(/^[0-9a-f]{16}$/), at: expect.any(String) });
    expect(existsSync(temp)).toBe(false);
    const found = await store.get(SESSION, n.id);
    expect(found?.path).toBe(join(store.folderOf(SESSION), `${n.id}.ogg`));
    expect(statSync(found!.path).mode & 0o777).toBe(0o600);
    expect(await store.list(SESSION)).toEqual([n]);
    expect(readdirSync(store.folderOf(SESSION)).sort()).toEqual([`${n.id}.ogg`, 'notices.json']);
  });

  it('finds nothing for ids that are not notice ids, and refuses session ids that are not path-safe', async () => {
    const store = new NoticeStore(tempDir());
    for (const id of ['../notices', 'notices.json', '0123456789ABCDEF', '0123456789abcde', '']) expect(await store.get(SESSION, id)).toBeUndefined();
    for (const session of ['..', '../x', 'a/b', '', 'x'.repeat(65)]) expect(() => store.folderOf(session)).toThrow(expect.objectContaining({ code: 'NOTICE_UNKNOWN' }));
  });

  it('refuses a notice past the session’s limit and removes its file', async () => {
    const store = new NoticeStore(tempDir());
    for (let i = 0; i < MAX_NOTICES_PER_SESSION; i++) await store.add(SESSION, await prepared(store), fields);
    await expect(store.assertRoom(SESSION)).rejects.toMatchObject({ code: 'NOTICE_LIMIT' });
    const temp = await prepared(store);
    await expect(store.add(SESSION, temp, fields)).rejects.toMatchObject({ code: 'NOTICE_LIMIT' });
    expect(readdirSync(store.folderOf(SESSION))).toHaveLength(MAX_NOTICES_PER_SESSION + 1);
  });
});

describe('the page’s notice helpers', () => {
  it('shows lengths as m:ss', () => {
    expect(noticeLength(0)).toBe('0:00');
    expect(noticeLength(2.4)).toBe('0:02');
    expect(noticeLength(59.6)).toBe('1:00');
    expect(noticeLength(61)).toBe('1:01');
  });

  it('records Opus in WebM where it can, else in Ogg, else the browser’s default', () => {
    expect(recorderType(() => true)).toBe('audio/webm;codecs=opus');
    expect(recorderType((t) => t.startsWith('audio/ogg'))).toBe('audio/ogg;codecs=opus');
    expect(recorderType(() => false)).toBe('');
  });

  it('puts the member token in the audio address, encoded', () => {
    expect(noticeAudioUrl('s-1', '0123456789abcdef', 'a+b/c')).toBe('/api/sessions/s-1/notices/0123456789abcdef?m=a%2Bb%2Fc');
  });

  it('keeps a notice once when it comes both as the upload’s answer and as `notice`', () => {
    const n = { id: '0123456789abcdef', ...fields, at: '2025-03-01T08:05:00.000Z' };
    expect(withNotice(withNotice([], n), n)).toEqual([n]);
  });
});
