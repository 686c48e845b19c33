// The discussion panel beside the video: the history and live messages (`HH:MM 名字（学校）: text`, every part
// through textContent), scrolled to the newest line, and an input limited to 500 characters (Enter sends). A
// message the relay refuses (too fast, too long) comes back into an empty input.
import type { ChatMessage } from '../signaling/protocol.js';
import { CHAT_KEEP, CHAT_MAX_CHARS, chatDraft, chatFrom, chatTime } from './chat.js';
import type { JoinClient } from './client.js';
import type { Notice } from './client-types.js';
import { h, show } from './dom.js';
import { getLang, t, type Lang } from './i18n.js';

export class ChatView {
  readonly el: HTMLElement;
  readonly #log = h('ol', { class: 'chat-log', attrs: { id: 'chat-log', 'aria-live': 'polite' } });
  readonly #empty = h('p', { class: 'chat-empty', i18n: 'chat_empty', attrs: { id: 'chat-empty' } });
  readonly #input = h('input', {
    i18nPlaceholder: 'chat_placeholder',
    attrs: { id: 'chat-input', type: 'text', maxlength: String(CHAT_MAX_CHARS), autocomplete: 'off', enterkeyhint: 'send' },
  });
  readonly #count = h('span', { class: 'chat-count', attrs: { id: 'chat-count', 'aria-live': 'off' } });
  readonly #send = h('button', { i18n: 'chat_send', attrs: { type: 'submit', id: 'chat-send' } });
  readonly #messages: ChatMessage[] = [];
  /** Sent texts the relay has not answered yet, oldest first (it answers in order). */
  readonly #unanswered: string[] = [];
  #lang: Lang = getLang();

  constructor(
    private readonly client: JoinClient,
    private readonly notify: (n: Notice) => void,
  ) {
    const form = h('form', { class: 'chat-form', attrs: { id: 'chat-form', novalidate: '' } }, this.#input, this.#send);
    this.el = h(
      'section',
      { class: 'chat', attrs: { id: 'chat' } },
      h('h2', { i18n: 'chat_title' }),
      this.#empty,
      this.#log,
      form,
      this.#count,
    );
    this.#input.setAttribute('aria-label', t('chat_title'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#submit();
    });
    this.#input.addEventListener('input', () => this.#renderCount());
    client.on('chatHistory', (messages) => {
      this.#unanswered.length = 0; // a new connection: earlier sends will not be answered
      this.#replace(messages);
    });
    client.on('chatAnswer', (ok) => this.#answered(ok));
    client.on('chat', (message) => this.#add(message));
    this.#replace([]);
    this.#renderCount();
  }

  /** Buttons follow the connection; lines are rewritten after a language switch (the sender's format). */
  render(): void {
    this.#send.disabled = this.client.phase !== 'joined';
    if (this.#lang !== getLang()) {
      this.#lang = getLang();
      this.#input.setAttribute('aria-label', t('chat_title'));
      this.#log.replaceChildren(...this.#messages.map((m) => this.#line(m)));
      this.#renderCount();
    }
  }

  #replace(messages: readonly ChatMessage[]): void {
    this.#messages.splice(0, this.#messages.length, ...messages.slice(-CHAT_KEEP));
    this.#log.replaceChildren(...this.#messages.map((m) => this.#line(m)));
    this.#scrolled();
  }

  #add(message: ChatMessage): void {
    this.#messages.push(message);
    this.#log.append(this.#line(message));
    while (this.#messages.length > CHAT_KEEP) {
      this.#messages.shift();
      this.#log.firstElementChild?.remove();
    }
    this.#scrolled();
  }

  #line(m: ChatMessage): HTMLElement {
    const own = m.peerId === this.client.peerId;
    return h(
      'li',
      { class: `chat-line${own ? ' chat-own' : ''}`, attrs: { 'data-peer': m.peerId } },
      h('time', { class: 'chat-time', text: chatTime(m.at), attrs: { datetime: m.at } }),
      document.createTextNode(' '),
      h('span', { class: 'chat-from', text: chatFrom(m, getLang()) }),
      document.createTextNode(': '),
      h('span', { class: 'chat-text', text: m.text }),
    );
  }

  /** Show the newest line, and the "no messages yet" hint for an empty log. */
  #scrolled(): void {
    show(this.#empty, this.#messages.length === 0);
    show(this.#log, this.#messages.length > 0);
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  #renderCount(): void {
    this.#count.textContent = t('chat_count', { count: this.#input.value.length, max: CHAT_MAX_CHARS });
  }

  #submit(): void {
    const text = chatDraft(this.#input.value);
    if (text === null) return;
    if (!this.client.sendChat(text)) {
      this.notify({ key: 'chat_not_sent' });
      return;
    }
    this.#unanswered.push(text);
    this.#input.value = '';
    this.#renderCount();
  }

  #answered(ok: boolean): void {
    const text = this.#unanswered.shift();
    if (ok || text === undefined || this.#input.value !== '') return;
    this.#input.value = text;
    this.#renderCount();
  }
}
