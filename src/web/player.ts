// The recording player (`/play/<id>?t=…`, or `?a=…` for a teacher's personal link of a watch assignment): the
// lesson video (seekable), a strip of thumbnails to jump with, the discussion replayed beside the video — each
// message appears when playback reaches its moment — and the self-review notes (player-notes.ts). A personal link
// also reports what was actually watched (player-progress.ts). Text is set with textContent only.
import { notesPanel, playerLang, label } from './player-notes.js';
import { reportProgress, type ProgressReporter } from './player-progress.js';
import { ProgramVideo, type ProgramPart } from './program-video.js';
import { clock, el } from './element.js';

interface PlayerData {
  title: string;
  startedAt: string;
  duration: number;
  video: string;
  /** The program's files in order with their offsets (one for most lessons). */
  parts?: ProgramPart[];
  thumbnails: { src: string; at: number }[];
  chat: { offset: number; from: string; venue: string; text: string }[];
  /** `/play/<id>/notes?…` with the page's credential. */
  notes: string;
  tags: string[];
  /** `/play/<id>/progress?a=…` for a personal link, else null. */
  progress: string | null;
  /** The assignee of a personal link. */
  viewer: string | null;
}

function start(): void {
  const data = JSON.parse(document.getElementById('player-data')!.textContent ?? '{}') as PlayerData;
  const root = document.getElementById('player')!;
  const element = el('video', { id: 'video' });
  element.controls = true;
  element.preload = 'metadata';
  element.src = data.video;
  const video = new ProgramVideo(element, data.parts ?? []);
  const strip = el('div', { class: 'thumbs', id: 'thumbs' });
  for (const t of data.thumbnails) {
    const img = el('img');
    img.src = t.src;
    img.alt = clock(t.at);
    img.title = clock(t.at);
    img.addEventListener('click', () => {
      video.currentTime = t.at;
      void video.play().catch(() => undefined);
    });
    strip.append(img);
  }
  const log = el('ol', { class: 'chat-log', id: 'replay' });
  const lines = data.chat.map((m) => {
    const li = el('li', { class: 'chat-line' }, el('time', { class: 'chat-time', text: clock(m.offset) }), el('span', { class: 'chat-from', text: `${m.from}（${m.venue}）` }), el('span', { class: 'chat-text', text: m.text }));
    li.hidden = true;
    log.append(li);
    return { at: m.offset, li };
  });
  let shown = 0;
  const replay = () => {
    shown = 0;
    for (const l of lines) {
      l.li.hidden = l.at > video.currentTime;
      if (!l.li.hidden) shown++;
    }
  };
  video.addEventListener('timeupdate', replay);
  video.addEventListener('seeked', replay);
  const lang = playerLang();
  const watched = el('p', { class: 'chat-count', id: 'watched' });
  let progress: ProgressReporter | null = null;
  if (data.progress) {
    progress = reportProgress(video, data.progress, (a) => {
      watched.textContent = label(a.finished ? 'watched_done' : 'watched', lang, { percent: a.percent.toFixed(0) });
    });
  }
  const head = el('h1', { text: data.title });
  if (data.viewer) head.append(el('span', { class: 'chat-time', id: 'viewer', text: ` ${data.viewer}` }));
  const side = el('aside', { class: 'side' }, el('section', { class: 'chat' }, log), notesPanel(video, data.notes, data.tags, lang));
  root.append(head, el('div', { class: 'layout' }, el('div', { class: 'stage' }, element, strip, watched), side));
  document.title = data.title;
  (window as unknown as { __player: unknown }).__player = { shown: () => shown, video: element, program: video, reports: () => progress?.reports() ?? 0 };
}

start();
