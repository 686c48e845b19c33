// The recording player (`/play/<id>?t=…`): the lesson video (seekable), a strip of thumbnails to jump with, and
// the discussion replayed beside the video — each message appears when playback reaches its moment. Text is
// set with textContent only.
interface PlayerData {
  title: string;
  startedAt: string;
  duration: number;
  video: string;
  thumbnails: { src: string; at: number }[];
  chat: { offset: number; from: string; venue: string; text: string }[];
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string; id?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.id) e.id = props.id;
  if (props.text !== undefined) e.textContent = props.text;
  e.append(...children);
  return e;
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

function start(): void {
  const data = JSON.parse(document.getElementById('player-data')!.textContent ?? '{}') as PlayerData;
  const root = document.getElementById('player')!;
  const video = el('video', { id: 'video' });
  video.controls = true;
  video.preload = 'metadata';
  video.src = data.video;
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
  root.append(el('h1', { text: data.title }), el('div', { class: 'layout' }, el('div', { class: 'stage' }, video, strip), el('aside', { class: 'chat' }, log)));
  document.title = data.title;
  (window as unknown as { __player: unknown }).__player = { shown: () => shown, video };
}

start();
