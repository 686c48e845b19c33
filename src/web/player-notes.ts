// Self-review notes beside the recording: the recording's notes in the order of the lesson (click one to jump
// there), and a small form that notes the current moment with a category. Text goes in through textContent only.
import { pickLang, type Lang } from './i18n.js';
import type { PlayerVideo } from './program-video.js';
import { clock, el } from './element.js';

type Entry = { readonly zh: string; readonly en: string };

const LABELS = {
  heading: { zh: '笔记', en: 'Notes' },
  none: { zh: '还没有笔记', en: 'No notes yet' },
  placeholder: { zh: '此刻要改进的地方……', en: 'What to rework at this moment…' },
  add: { zh: '记在此刻', en: 'Note this moment' },
  saved: { zh: '已记下（{at}）', en: 'Noted ({at})' },
  failed: { zh: '没有记下：{detail}', en: 'Not saved: {detail}' },
  load_failed: { zh: '无法读取笔记：{detail}', en: 'Cannot load the notes: {detail}' },
  tag: { zh: '类别', en: 'Category' },
  posture: { zh: '仪态', en: 'Posture' },
  voice: { zh: '声音', en: 'Voice' },
  pace: { zh: '节奏', en: 'Pace' },
  courseware: { zh: '课件', en: 'Courseware' },
  other: { zh: '其他', en: 'Other' },
  watched: { zh: '已观看 {percent}%', en: 'Watched {percent}%' },
  watched_done: { zh: '已看完（{percent}%）', en: 'Finished ({percent}%)' },
} as const satisfies Record<string, Entry>;

export type NoteLabel = keyof typeof LABELS;

export interface PlayerNote {
  id: string;
  at: number;
  tag: string;
  text: string;
  by: string | null;
}

/** The page's language, chosen from the browser (no stored choice on the player). */
export function playerLang(): Lang {
  return pickLang(null, navigator.languages ?? [navigator.language]);
}

export function label(key: string, lang: Lang, params: Record<string, string> = {}): string {
  const entry: Entry | undefined = Object.prototype.hasOwnProperty.call(LABELS, key) ? LABELS[key as NoteLabel] : undefined;
  return (entry ? entry[lang] : key).replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m);
}

async function errorDetail(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    return body.error?.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** The notes panel for the recording at `url` (`/play/<id>/notes?…`), seeking `video` on a click. */
export function notesPanel(video: PlayerVideo, url: string, tags: readonly string[], lang: Lang): HTMLElement {
  const list = el('ol', { class: 'chat-log', id: 'notes' });
  const empty = el('p', { class: 'chat-empty', text: label('none', lang) });
  const status = el('p', { class: 'chat-count', id: 'note-status' });
  const notes: PlayerNote[] = [];

  const render = () => {
    list.replaceChildren(...notes.map((n) => {
      const li = el('li', { class: 'chat-line note-line' },
        el('time', { class: 'chat-time', text: clock(n.at) }), document.createTextNode(' '),
        el('span', { class: 'badge', text: label(n.tag, lang) }), document.createTextNode(' '),
        el('span', { class: 'chat-text note-text', text: n.text }));
      li.dataset.at = String(n.at);
      li.tabIndex = 0;
      li.style.cursor = 'pointer';
      li.addEventListener('click', () => {
        video.currentTime = n.at;
      });
      return li;
    }));
    empty.hidden = notes.length > 0;
  };

  const select = el('select', { id: 'note-tag' });
  select.setAttribute('aria-label', label('tag', lang));
  for (const tag of tags) {
    const option = el('option', { text: label(tag, lang) });
    option.value = tag;
    select.append(option);
  }
  const input = el('input', { id: 'note-text' });
  input.maxLength = 500;
  input.placeholder = label('placeholder', lang);
  const button = el('button', { id: 'note-add', text: label('add', lang) });
  button.type = 'submit';
  const form = el('form', { class: 'chat-form', id: 'note-form' }, select, input, button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const at = Math.round(video.currentTime * 1000) / 1000;
    button.disabled = true;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ at, tag: select.value, text }) })
      .then(async (res) => {
        if (!res.ok) throw new Error(await errorDetail(res));
        const note = (await res.json()) as PlayerNote;
        notes.push(note);
        notes.sort((a, b) => a.at - b.at);
        render();
        input.value = '';
        status.textContent = label('saved', lang, { at: clock(note.at) });
      })
      .catch((err: unknown) => {
        status.textContent = label('failed', lang, { detail: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        button.disabled = false;
      });
  });

  fetch(url)
    .then(async (res) => {
      if (!res.ok) throw new Error(await errorDetail(res));
      notes.push(...((await res.json()) as { notes: PlayerNote[] }).notes);
      render();
    })
    .catch((err: unknown) => {
      status.textContent = label('load_failed', lang, { detail: err instanceof Error ? err.message : String(err) });
    });

  render();
  return el('section', { class: 'chat notes' }, el('h2', { text: label('heading', lang) }), list, empty, form, status);
}
