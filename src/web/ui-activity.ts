// The rundown of a research activity: its steps (label and venue) with the current one highlighted, for
// everyone; for the host also "Next step" (hidden while the session has no rundown) and the record button.
import type { JoinClient } from './client.js';
import { h, show } from './dom.js';
import { t } from './i18n.js';

export class RundownView {
  readonly el: HTMLElement;
  readonly #list = h('ol', { class: 'rundown-steps', attrs: { id: 'rundown' } });
  readonly #next = h('button', { i18n: 'next_step', attrs: { type: 'button', id: 'next-step' } });
  /** The host's record button (shown beside the rundown, also without one). */
  readonly record = h('button', { i18n: 'record_start', attrs: { type: 'button', id: 'record', 'aria-pressed': 'false' } });
  /** What the list was built from, so an unchanged state does not rebuild it. */
  #shown = '';

  constructor(private readonly client: JoinClient) {
    this.el = h('section', { class: 'rundown', attrs: { id: 'rundown-panel' } }, h('h2', { i18n: 'rundown_title' }), this.#list, this.#next);
    this.#next.addEventListener('click', () => client.hostRequest({ type: 'nextStep' }));
    this.record.addEventListener('click', () => client.hostRequest({ type: 'record', on: !client.activity.recording }));
  }

  render(): void {
    const c = this.client;
    const { steps, current } = c.activity.rundown;
    show(this.el, steps.length > 0);
    show(this.#next, c.isHost);
    show(this.record, c.isHost);
    this.record.disabled = c.phase !== 'joined';
    this.record.setAttribute('aria-pressed', String(c.activity.recording));
    const label = c.activity.recording ? 'record_stop' : 'record_start';
    if (this.record.dataset.i18n !== label) {
      this.record.dataset.i18n = label;
      this.record.textContent = t(label);
    }
    this.#next.disabled = c.phase !== 'joined' || (current !== null && current >= steps.length - 1);
    const key = JSON.stringify([steps, current]);
    if (key === this.#shown) return;
    this.#shown = key;
    this.#list.replaceChildren(
      ...steps.map((s, i) => {
        const li = h(
          'li',
          { class: `rundown-step${i === current ? ' current' : ''}`, attrs: { 'data-step': String(i) } },
          h('span', { class: 'step-label', text: s.label }),
          h('span', { class: 'step-venue', text: s.venue }),
        );
        if (i === current) li.setAttribute('aria-current', 'step');
        return li;
      }),
    );
  }
}
