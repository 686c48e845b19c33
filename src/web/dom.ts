// Building the page without innerHTML: every text goes in through textContent, every label through the
// catalogue. Elements marked with data-i18n* are relabelled in place when the language changes.
import { t, type MessageKey } from './i18n.js';

export interface Props {
  class?: string;
  /** Static label from the catalogue (kept up to date by relabel()). */
  i18n?: MessageKey;
  /** Catalogue key for the title and aria-label (icon buttons, badges). */
  i18nTitle?: MessageKey;
  /** Catalogue key for an input's placeholder. */
  i18nPlaceholder?: MessageKey;
  /** Literal text (participant names, titles): always textContent. */
  text?: string;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.i18n) el.dataset.i18n = props.i18n;
  if (props.i18nTitle) el.dataset.i18nTitle = props.i18nTitle;
  if (props.i18nPlaceholder) el.dataset.i18nPlaceholder = props.i18nPlaceholder;
  if (props.text !== undefined) el.textContent = props.text;
  el.append(...children);
  relabelOne(el);
  return el;
}

function relabelOne(el: HTMLElement): void {
  const { i18n, i18nTitle, i18nPlaceholder } = el.dataset;
  if (i18n) el.textContent = t(i18n as MessageKey);
  if (i18nTitle) {
    el.title = t(i18nTitle as MessageKey);
    el.setAttribute('aria-label', el.title);
  }
  if (i18nPlaceholder && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) el.placeholder = t(i18nPlaceholder as MessageKey);
}

/** Re-apply every static label under `root` (after a language switch). */
export function relabel(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('[data-i18n], [data-i18n-title], [data-i18n-placeholder]').forEach(relabelOne);
}

/** Point a label at another catalogue key (e.g. "mute" ↔ "unmute"). */
export function setLabel(el: HTMLElement, key: MessageKey): void {
  el.dataset.i18n = key;
  relabelOne(el);
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Icon paths (24×24): fixed data, built with createElementNS. */
const ICONS = {
  micOff: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11zM3 3l18 18-1.4 1.4L1.6 4.4z',
  camOff: 'M17 10.5V7a1 1 0 0 0-1-1H6.8L17 16.2zM3.3 2 2 3.3 4.7 6H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12c.2 0 .4-.1.6-.2l3.1 3.2 1.3-1.3zM21 7l-4 4v1.2l4 4z',
} as const;

export function icon(name: keyof typeof ICONS, titleKey: MessageKey): HTMLElement {
  const wrap = h('span', { class: `icon icon-${name}`, i18nTitle: titleKey, attrs: { role: 'img' } });
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  wrap.append(svg);
  return wrap;
}
