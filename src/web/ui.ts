// The page shell: top bar with the language switch, banners (reconnecting, notices), and one of three
// screens — the join form, the session, or "the session has ended" (or "you were removed").
import type { JoinClient } from './client.js';
import type { Notice } from './client-types.js';
import type { PageDocs } from './docs.js';
import { h, relabel, setLabel, show } from './dom.js';
import { errorText, getLang, htmlLang, setLang, t } from './i18n.js';
import { saveLang } from './prefs.js';
import { JoinForm, type FormInit } from './ui-form.js';
import { SessionView } from './ui-session.js';

/** How long a notice stays unless closed earlier. */
const NOTICE_MS = 8_000;

export function noticeText(n: Notice): string {
  return 'key' in n ? t(n.key, n.params) : errorText(n.code, n.message);
}

export class PageUi {
  readonly #root: HTMLElement;
  readonly #form: JoinForm;
  readonly #session: SessionView;
  readonly #reconnecting = h('div', { class: 'banner banner-warn', i18n: 'reconnecting', attrs: { id: 'reconnecting', role: 'status' } });
  readonly #upstream = h('div', { class: 'banner banner-warn', i18n: 'upstream_reconnecting', attrs: { id: 'upstream-reconnecting', role: 'status' } });
  readonly #notices = h('div', { class: 'notices', attrs: { id: 'notices', 'aria-live': 'polite' } });
  readonly #ended = h('section', { class: 'ended', attrs: { id: 'ended' } });
  readonly #endedTitle = h('h1', { i18n: 'ended_title', attrs: { id: 'ended-title' } });
  readonly #brand = h('span', { class: 'brand', i18n: 'app_name' });
  readonly #langButton = h('button', { class: 'lang', i18n: 'lang_switch', attrs: { type: 'button', id: 'lang' } });

  constructor(root: HTMLElement, private readonly client: JoinClient, init: FormInit, docs: PageDocs) {
    this.#root = root;
    this.#form = new JoinForm(init, (request) => client.join(request));
    this.#session = new SessionView(client, (n) => this.notify(n), docs);
    const back = h('button', { i18n: 'back', attrs: { type: 'button', id: 'ended-back' } });
    back.addEventListener('click', () => client.leave());
    this.#ended.append(this.#endedTitle, back);
    this.#langButton.addEventListener('click', () => this.switchLang());
    root.replaceChildren(
      h('div', { class: 'topbar' }, this.#brand, this.#langButton),
      this.#reconnecting,
      this.#upstream,
      this.#notices,
      this.#form.el,
      this.#session.el,
      this.#ended,
    );
    client.on('change', () => this.render());
    client.on('layout', () => this.#session.renderMedia());
    client.on('notice', (n) => this.notify(n));
    docs.on('notice', (n) => this.notify(n));
    client.on('joinFailed', (n) => this.#form.showError(() => noticeText(n)));
    this.render();
  }

  render(): void {
    const phase = this.client.phase;
    document.documentElement.lang = htmlLang(getLang());
    document.title = this.client.session?.title ? `${this.client.session.title} · ${t('app_name')}` : t('app_name');
    this.#form.setBusy(phase === 'joining');
    show(this.#form.el, phase === 'idle' || phase === 'joining');
    show(this.#session.el, phase === 'joined' || phase === 'reconnecting');
    show(this.#ended, phase === 'ended');
    if (phase === 'ended') setLabel(this.#endedTitle, this.client.endedReason === 'removed' ? 'ended_removed' : 'ended_title');
    show(this.#reconnecting, phase === 'reconnecting');
    show(this.#upstream, phase === 'joined' && this.client.activity.upstreamReconnecting);
    this.#root.dataset.phase = phase;
    if (phase === 'joined' || phase === 'reconnecting') this.#session.render();
  }

  /** A non-blocking banner that closes itself after a while. */
  notify(n: Notice): void {
    const text = h('span', { text: noticeText(n) });
    const close = h('button', { class: 'close', i18nTitle: 'dismiss', text: '×', attrs: { type: 'button' } });
    const banner = h('div', { class: 'banner banner-error', attrs: { role: 'alert' } }, text, close);
    const timer = setTimeout(() => banner.remove(), NOTICE_MS);
    close.addEventListener('click', () => {
      clearTimeout(timer);
      banner.remove();
    });
    this.#notices.append(banner);
  }

  switchLang(): void {
    const next = getLang() === 'zh' ? 'en' : 'zh';
    setLang(next);
    saveLang(next);
    relabel(this.#root);
    this.#form.relabel();
    this.render();
  }
}
