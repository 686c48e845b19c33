// The shared-document panel beside the video: one tab per document of the session (`plan` first), a small form
// to start a new one, whether edits are reaching the others (or kept here while offline), and the editor of the
// chosen document.
import type { EditorView } from '@codemirror/view';
import { docEditor } from './doc-editor.js';
import type { DocSync } from './doc-sync.js';
import type { PageDocs } from './docs.js';
import { h, setLabel, show } from './dom.js';
import { getLang, t, type Lang, type MessageKey } from './i18n.js';

export class DocPanel {
  readonly el: HTMLElement;
  readonly #status = h('span', { class: 'doc-status', attrs: { id: 'doc-status', role: 'status' } });
  readonly #tabs = h('div', { class: 'doc-tabs', attrs: { id: 'doc-tabs', role: 'tablist' } });
  readonly #name = h('input', {
    i18nPlaceholder: 'doc_new_placeholder',
    attrs: { id: 'doc-new-name', type: 'text', maxlength: '32', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off' },
  });
  readonly #newError = h('p', { class: 'doc-new-error', attrs: { id: 'doc-new-error', role: 'alert' } });
  readonly #host = h('div', { class: 'doc-editor', attrs: { id: 'doc-editor' } });
  #view: EditorView | null = null;
  #bound: DocSync | null = null;
  /** The bound document's local copy (a reload replaces it: the editor is made again on the new one). */
  #boundText: DocSync['text'] | null = null;
  #lang: Lang = getLang();
  #tabKey = '';

  constructor(private readonly docs: PageDocs) {
    const create = h('button', { i18n: 'doc_new', attrs: { type: 'submit', id: 'doc-new' } });
    const form = h('form', { class: 'doc-new', attrs: { id: 'doc-new-form', novalidate: '' } }, this.#name, create);
    this.el = h(
      'section',
      { class: 'docs', attrs: { id: 'docs' } },
      h('header', { class: 'docs-head' }, h('h2', { i18n: 'docs_title' }), this.#status),
      this.#tabs,
      this.#host,
      form,
      this.#newError,
    );
    this.#name.setAttribute('aria-label', t('doc_new_placeholder'));
    show(this.#newError, false);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#create();
    });
    this.#name.addEventListener('input', () => show(this.#newError, false));
    docs.on('change', () => this.render());
  }

  render(): void {
    const docs = this.docs;
    const shown = docs.shown;
    setLabel(this.#status, !docs.online ? 'doc_offline' : shown?.synced ? 'doc_synced' : 'doc_syncing');
    this.#status.dataset.state = !docs.online ? 'offline' : shown?.synced ? 'synced' : 'syncing';
    this.#renderTabs();
    if (this.#lang !== getLang()) {
      this.#lang = getLang();
      this.#name.setAttribute('aria-label', t('doc_new_placeholder'));
      this.#bind(null); // labels inside the editor follow the language
    }
    this.#bind(shown ?? null);
  }

  #renderTabs(): void {
    const names = this.docs.names();
    const key = `${this.docs.current}|${names.join(',')}`;
    if (key === this.#tabKey) return;
    this.#tabKey = key;
    this.#tabs.replaceChildren(
      ...names.map((name) => {
        const selected = name === this.docs.current;
        const tab = h('button', {
          class: 'doc-tab',
          text: name,
          attrs: { type: 'button', role: 'tab', 'data-doc': name, 'aria-selected': String(selected) },
        });
        tab.addEventListener('click', () => this.docs.select(name));
        return tab;
      }),
    );
  }

  /** The editor shows `doc` (a new editor when it or its local copy changes; none without a document). */
  #bind(doc: DocSync | null): void {
    if (doc === this.#bound && (doc?.text ?? null) === this.#boundText) return;
    const focused = doc !== null && doc === this.#bound && (this.#view?.hasFocus ?? false);
    this.#view?.destroy();
    this.#view = null;
    this.#bound = doc;
    this.#boundText = doc?.text ?? null;
    if (doc) this.#view = docEditor(this.#host, doc, { label: t('doc_editor_label', { name: doc.name }), empty: t('doc_empty') });
    if (focused) this.#view?.focus(); // reloaded while typing: keep typing in the new editor
  }

  #create(): void {
    const name = this.#name.value.trim().toLowerCase();
    const problem: MessageKey | null = this.docs.problemWith(name);
    if (problem) {
      setLabel(this.#newError, problem);
      show(this.#newError, true);
      return;
    }
    this.#name.value = '';
    this.docs.select(name);
    this.#view?.focus();
  }
}
