// A finished, verified upload becomes a recording of this relay's library: published, marked with the school it
// came from, its files probed (duration, size), thumbnails made, and the discussion that came with it (chat.json)
// filed under the recording so `library show` and the player replay it beside the video.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/fs.js';
import { logger } from '../core/log.js';
import { probe } from '../media/probe.js';
import { thumbnails } from '../media/thumbnails.js';
import type { ChatLog, StoredChatMessage } from '../store/chat-log.js';
import type { Recording, RecordingCatalogue, RecordingFile } from '../store/recording-catalogue.js';
import type { UploadManifest } from '../store/upload-store.js';

/** A program part's name: `program.<ext>` or `program-<n>.<ext>`. */
const PROGRAM = /^program(?:-(\d{1,3}))?\.(?:webm|mkv|mp4)$/;

const log = logger('server:uploads');

/** chat.json as `library publish` sends it: the discussion during the recording (GET /api/recordings/<id>). */
const chatFile = z.object({
  messages: z.array(z.object({
    from: z.string().max(64),
    venue: z.string().max(64),
    text: z.string().max(2000),
    at: z.iso.datetime({ offset: true }),
  })).max(100_000),
});

/** The discussion of an upload, or none when chat.json is missing or not one (logged, never fatal). */
async function readChat(folder: string, m: UploadManifest): Promise<StoredChatMessage[]> {
  if (!m.files.some((f) => f.name === 'chat.json')) return [];
  try {
    const parsed = chatFile.safeParse(JSON.parse(await readFile(join(folder, 'chat.json'), 'utf8')));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const start = Date.parse(m.meta.startedAt);
    return parsed.data.messages.map((c) => ({ from: c.from, venue: c.venue, text: c.text, at: c.at, t: Math.max(0, Math.round((Date.parse(c.at) - start) / 100) / 10), peerId: 'upload' }));
  } catch (err) {
    log('chat.json of upload %s not used: %O', m.id, err);
    return [];
  }
}

async function described(folder: string, m: UploadManifest, name: string): Promise<RecordingFile & { sha256: string }> {
  const path = join(folder, name);
  const spec = m.files.find((f) => f.name === name)!;
  const duration = await probe(path).then((i) => Math.round(i.duration * 100) / 100, (err: unknown) => (log('probe %s: %O', path, err), 0));
  return { name, role: PROGRAM.test(name) ? 'program' : 'seat', size: (await stat(path)).size, duration, sha256: spec.sha256 };
}

/** Add the upload in `folder` (its final place) to the catalogue as published; idempotent. */
export async function importUpload(catalogue: RecordingCatalogue, chat: ChatLog, folder: string, m: UploadManifest): Promise<Recording> {
  const known = catalogue.get(m.id);
  if (known) return known;
  const messages = await readChat(folder, m);
  if (messages.length > 0) await writeFileAtomic(chat.pathOf(m.id), messages.map((c) => JSON.stringify(c) + '\n').join(''), 0o600);
  // The program's parts first, in order (each placed after the previous one), then the seats.
  const part = (name: string) => (PROGRAM.test(name) ? Number(PROGRAM.exec(name)![1] ?? 1) : 1000);
  const media = m.files.filter((f) => f.name !== 'chat.json').map((f) => f.name).sort((a, b) => part(a) - part(b) || a.localeCompare(b));
  const files: RecordingFile[] = [];
  let offset = 0;
  for (const name of media) {
    const f = await described(folder, m, name);
    if (f.role === 'program') {
      files.push({ ...f, offset: Math.round(offset * 100) / 100 });
      offset += f.duration ?? 0;
    } else files.push(f);
  }
  const program = files.find((f) => f.role === 'program');
  const thumbs = program?.duration
    ? await thumbnails(join(folder, program.name), program.duration, folder).catch((err: unknown) => (log('thumbnails of %s: %O', m.id, err), []))
    : [];
  const at = new Date().toISOString();
  return catalogue.addImported({
    id: m.id, sessionId: m.id, title: m.meta.title, kind: m.meta.kind ?? 'lesson',
    ...(m.meta.teacher ? { teacher: m.meta.teacher } : {}),
    ...(m.meta.subject ? { subject: m.meta.subject } : {}),
    ...(m.meta.grade ? { grade: m.meta.grade } : {}),
    startedAt: m.meta.startedAt, endedAt: m.meta.endedAt ?? new Date(Date.parse(m.meta.startedAt) + (m.meta.duration ?? 0) * 1000).toISOString(), venues: [...m.meta.venues], files,
    duration: offset || (m.meta.duration ?? 0), size: files.reduce((s, f) => s + (f.size ?? 0), 0),
    state: 'published', history: [{ state: 'published', by: `upload:${m.school}`, at }], thumbnails: thumbs,
    origin: { school: m.school, recordingId: m.recordingId },
  });
}
