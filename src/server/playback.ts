// Watching a recording in the browser: `/play/<id>?t=<link token>` or `?a=<personal token>` (the player page),
// `/media/<id>/<file>?…` (the video with HTTP Range, and the thumbnails) and the page's own calls back
// (`/play/<id>/progress`, `/play/<id>/notes`, see player-api.ts). No listing: only someone holding a recording's
// link, or a personal link of an assignment of it, gets in (play-access.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { RefusedError } from '../core/errors.js';
import type { AssignmentStore } from '../store/assignment-store.js';
import type { ChatLog } from '../store/chat-log.js';
import { NOTE_TAGS } from '../store/note-store.js';
import type { RecordingCatalogue } from '../store/recording-catalogue.js';
import { accessQuery, playAccess } from './play-access.js';
import type { PlayerApi } from './player-api.js';
import { sendFileWithRanges } from './range-file.js';

export { linkToken } from './play-access.js';

export interface PlaybackDeps {
  readonly catalogue: RecordingCatalogue;
  readonly chat: ChatLog;
  readonly secret: string;
  readonly assignments: AssignmentStore;
  readonly player: PlayerApi;
}

// A program or seat recorded in parts (its video codec changed) has `program-2.mkv`… beside `program.webm`.
const FILE = /^(program(-\d{1,3})?\.(webm|mkv|mp4)|seat-\d{1,3}(-\d{1,3})?\.(webm|mkv)|thumb-\d{1,2}\.jpg)$/;
const TYPE: Record<string, string> = { jpg: 'image/jpeg', mp4: 'video/mp4', webm: 'video/webm', mkv: 'video/x-matroska' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Handle `/play/…` and `/media/…`; false for other paths. */
export async function handlePlayback(req: IncomingMessage, res: ServerResponse, url: URL, deps: PlaybackDeps): Promise<boolean> {
  const m = /^\/(play|media)\/([0-9a-f-]{36})(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return false;
  const [, route, id, file] = m as unknown as [string, 'play' | 'media', string, string | undefined];
  const { rec, access } = playAccess(url, id, deps);
  if (route === 'media') {
    if (!file || !FILE.test(file) || !rec.files.some((f) => f.name === file) && !(rec.thumbnails ?? []).includes(file)) throw new RefusedError('NOT_FOUND', { path: url.pathname });
    await sendFileWithRanges(req, res, join(deps.catalogue.folderOf(id), file), TYPE[file.split('.').pop()!]!);
    return true;
  }
  if (file === 'progress' || file === 'notes') {
    await deps.player.handle(req, res, file, rec, access);
    return true;
  }
  if (file) return false;
  if (access.kind === 'personal') deps.assignments.opened(access.assignee);
  const start = Date.parse(rec.startedAt);
  const end = rec.endedAt ? Date.parse(rec.endedAt) : Infinity;
  const chat = (await deps.chat.all(rec.sessionId))
    .filter((c) => Date.parse(c.at) >= start && Date.parse(c.at) <= end)
    .map((c) => ({ offset: (Date.parse(c.at) - start) / 1000, from: c.from, venue: c.venue, text: c.text }));
  const q = accessQuery(access);
  // The program as recorded (WebM; Matroska for H.264), or as published to a county relay after a transcode (MP4).
  // Recorded in parts, the player plays them one after another on one timeline (the thumbnails are of the first).
  const parts = rec.files.filter((f) => f.role === 'program');
  const program = parts[0]?.name ?? 'program.webm';
  const first = parts[0]?.duration ?? rec.duration ?? 0;
  const data = {
    title: rec.title, startedAt: rec.startedAt, duration: rec.duration ?? first, video: `/media/${id}/${program}${q}`,
    parts: parts.map((f, i) => ({ src: `/media/${id}/${f.name}${q}`, offset: f.offset ?? (i === 0 ? 0 : parts.slice(0, i).reduce((s, x) => s + (x.duration ?? 0), 0)) })),
    thumbnails: (rec.thumbnails ?? []).map((name, i, all) => ({ src: `/media/${id}/${name}${q}`, at: (first * (0.05 + (0.7 * i) / Math.max(1, all.length - 1))) })),
    chat,
    notes: `/play/${id}/notes${q}`,
    tags: NOTE_TAGS,
    // Only a personal link reports what was watched.
    progress: access.kind === 'personal' ? `/play/${id}/progress${q}` : null,
    viewer: access.kind === 'personal' ? access.assignee.name : null,
  };
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(rec.title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/style.css"></head>
<body><main id="player"></main><script type="application/json" id="player-data">${scriptJson(data)}</script>
<script type="module" src="/assets/player.js"></script></body></html>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' });
  res.end(html);
  return true;
}
