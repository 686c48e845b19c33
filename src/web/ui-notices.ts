// The voice-notices panel beside the discussion: the host and seat holders record one (MediaRecorder, stops itself at
// 60 s) and send it with fetch and their member token; everyone sees the list — who, when, how long — and plays a
// notice through one <audio> element whose address carries the token (`?m=`). Follows the relay's `joined` (the
// token), `notices` (the list) and `notice` (a new one).
import type { VoiceNotice } from '../signaling/protocol.js';
import { chatFrom, chatTime } from './chat.js';
import type { JoinClient } from './client.js';
import type { Notice } from './client-types.js';
import { h, show } from './dom.js';
import { getLang, t, type Lang } from './i18n.js';
import { NOTICE_MAX_SECONDS, noticeAudioUrl, noticeLength, noticesUrl, withNotice } from './notices.js';
import { VoiceRecorder } from './voice-recorder.js';

type Stage = 'idle' | 'recording' | 'sending';

export class NoticesView {
  readonly el: HTMLElement;
  readonly #list = h('ol', { class: 'notice-list', attrs: { id: 'notice-list' } });
  readonly #empty = h('p', { class: 'notice-empty', i18n: 'notice_empty', attrs: { id: 'notice-empty' } });
  readonly #record = h('button', { i18n: 'notice_record', attrs: { type: 'button', id: 'notice-record' } });
  readonly #send = h('button', { i18n: 'notice_send', attrs: { type: 'button', id: 'notice-send' } });
  readonly #cancel = h('button', { i18n: 'notice_cancel', attrs: { type: 'button', id: 'notice-cancel' } });
  readonly #elapsed = h('span', { class: 'notice-elapsed', attrs: { id: 'notice-elapsed', role: 'timer', 'data-seconds': '0' } });
  readonly #sending = h('span', { class: 'notice-sending', i18n: 'notice_sending', attrs: { id: 'notice-sending', role: 'status' } });
  readonly #player = h('audio', { attrs: { id: 'notice-player', controls: '', preload: 'metadata' } });
  #notices: VoiceNotice[] = [];
  #token: string | null = null;
  #sessionId: string | null = null;
  #recorder: VoiceRecorder | null = null;
  #stage: Stage = 'idle';
  /** The language the lines were written in (the sender reads differently in each). */
  #lang: Lang = getLang();

  constructor(
    private readonly client: JoinClient,
    private readonly notify: (n: Notice) => void,
  ) {
    this.el = h(
      'section',
      { class: 'voice-notices', attrs: { id: 'voice-notices' } },
      h('h2', { i18n: 'notices_title' }),
      h('div', { class: 'notice-controls' }, this.#record, this.#elapsed, this.#send, this.#cancel, this.#sending),
      this.#empty,
      this.#list,
      this.#player,
    );
    this.#player.hidden = true;
    this.#record.addEventListener('click', () => this.#startRecording());
    this.#send.addEventListener('click', () => this.#recorder?.stop());
    this.#cancel.addEventListener('click', () => this.#cancelRecording());
    this.#player.addEventListener('error', () => this.notify({ key: 'notice_play_failed' }));
    client.on('message', (m) => {
      if (m.type === 'joined') {
        this.#token = m.memberToken ?? null;
        if (m.session.id !== this.#sessionId) this.#replace([]); // another session: not its notices
        this.#sessionId = m.session.id;
        this.render();
      } else if (m.type === 'notices') this.#replace(m.notices);
      else if (m.type === 'notice') this.#replace(withNotice(this.#notices, m.notice));
    });
    this.#replace([]);
  }

  /** Who may record (the host and seat holders, while connected); lines follow the page's language. */
  render(): void {
    const c = this.client;
    const allowed = (c.isHost || c.self?.seat === true) && VoiceRecorder.supported;
    // The seat went away meanwhile (a dropped connection is no reason: the recording goes on meanwhile).
    if (!allowed && c.phase === 'joined' && this.#stage === 'recording') this.#cancelRecording();
    show(this.#record, allowed && c.phase === 'joined' && this.#token !== null && this.#stage === 'idle');
    show(this.#elapsed, this.#stage === 'recording');
    show(this.#send, this.#stage === 'recording');
    show(this.#cancel, this.#stage === 'recording');
    show(this.#sending, this.#stage === 'sending');
    if (this.#lang !== getLang()) this.#replace(this.#notices);
  }

  #replace(notices: readonly VoiceNotice[]): void {
    this.#notices = [...notices];
    this.#lang = getLang();
    this.#list.replaceChildren(...this.#notices.map((n) => this.#line(n)));
    show(this.#empty, this.#notices.length === 0);
    show(this.#list, this.#notices.length > 0);
  }

  #line(n: VoiceNotice): HTMLElement {
    const play = h('button', { class: 'notice-play', i18n: 'notice_play', attrs: { type: 'button' } });
    play.addEventListener('click', () => this.#play(n));
    return h(
      'li',
      { class: 'notice-line', attrs: { 'data-notice': n.id } },
      h('span', { class: 'notice-from', text: chatFrom({ from: n.by, venue: n.venue }, getLang()) }),
      document.createTextNode(' '),
      h('time', { class: 'notice-time', text: chatTime(n.at), attrs: { datetime: n.at } }),
      document.createTextNode(' '),
      h('span', { class: 'notice-length', text: noticeLength(n.seconds) }),
      document.createTextNode(' '),
      play,
    );
  }

  #play(n: VoiceNotice): void {
    const session = this.client.session;
    if (!session || !this.#token) return;
    this.#player.src = noticeAudioUrl(session.id, n.id, this.#token);
    this.#player.dataset.notice = n.id;
    this.#player.hidden = false;
    this.#player.play().catch((err: unknown) => {
      if (!(err instanceof DOMException && err.name === 'AbortError')) this.notify({ key: 'notice_play_failed' });
    });
  }

  #startRecording(): void {
    if (this.#stage !== 'idle') return;
    const recorder = new VoiceRecorder();
    this.#recorder = recorder;
    this.#stage = 'recording';
    this.#showElapsed(0);
    recorder.on('tick', (s) => this.#showElapsed(s));
    recorder.on('failed', (err) => {
      this.#finish();
      this.notify({ key: 'notice_mic_failed', params: { detail: err instanceof Error ? err.message : String(err) } });
    });
    recorder.on('done', (blob) => void this.#upload(blob));
    void recorder.start();
    this.render();
  }

  #cancelRecording(): void {
    this.#recorder?.cancel();
    this.#finish();
  }

  #showElapsed(seconds: number): void {
    this.#elapsed.dataset.seconds = seconds.toFixed(1);
    this.#elapsed.textContent = t('notice_elapsed', { elapsed: noticeLength(Math.floor(seconds)), max: noticeLength(NOTICE_MAX_SECONDS) });
  }

  async #upload(blob: Blob): Promise<void> {
    const session = this.client.session;
    const token = this.#token;
    this.#stage = 'sending';
    this.render();
    try {
      if (!session || !token) throw new Error('not connected');
      const res = await fetch(noticesUrl(session.id), {
        method: 'POST',
        headers: { 'X-Jiaoyan-Member': token, 'Content-Type': blob.type || 'audio/webm' },
        body: blob,
      });
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & Partial<VoiceNotice>;
      if (!res.ok) {
        this.notify({ code: body.error?.code ?? 'INTERNAL', message: body.error?.message ?? `HTTP ${res.status}` });
      } else if (typeof body.id === 'string') {
        this.#replace(withNotice(this.#notices, body as VoiceNotice));
      }
    } catch (err) {
      this.notify({ key: 'notice_send_failed', params: { detail: err instanceof Error ? err.message : String(err) } });
    } finally {
      this.#finish();
    }
  }

  #finish(): void {
    this.#recorder = null;
    this.#stage = 'idle';
    this.render();
  }
}
