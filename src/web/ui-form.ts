// The join form: invite code (with the session title looked up before joining), name, venue, and under
// "advanced" the host key. Validates locally, remembers code/name/venue, hands a JoinRequest to the caller.
import type { JoinRequest } from './client-types.js';
import { formatInviteCode, isHostKey, parseInviteCode } from './code.js';
import { h, setLabel, show } from './dom.js';
import { t, type MessageKey, type Params } from './i18n.js';
import { lookupCode, type Lookup } from './lookup.js';
import { saveJoinPrefs } from './prefs.js';

export interface FormInit {
  code: string;
  name: string;
  venue: string;
  hostKey: string | null;
}

type Status = { key: MessageKey; params?: Params; tone: 'info' | 'ok' | 'error' } | { text: () => string; tone: 'error' };

function field(id: string, label: MessageKey, input: HTMLInputElement): HTMLElement {
  input.id = id;
  input.name = id;
  return h('div', { class: 'field' }, h('label', { i18n: label, attrs: { for: id } }), input);
}

export class JoinForm {
  readonly el: HTMLFormElement;
  readonly #code = h('input', { attrs: { inputmode: 'numeric', autocomplete: 'off', maxlength: '13', placeholder: '482-193-775', required: '' } });
  readonly #name = h('input', { attrs: { autocomplete: 'name', maxlength: '64', required: '' } });
  readonly #venue = h('input', { attrs: { autocomplete: 'organization', maxlength: '64', list: 'venue-list', required: '' } });
  readonly #hostKey = h('input', { attrs: { type: 'password', autocomplete: 'off', maxlength: '128' } });
  readonly #venues = h('datalist', { attrs: { id: 'venue-list' } });
  readonly #title = h('p', { class: 'session-title', attrs: { id: 'lookup-title' } });
  readonly #status = h('p', { class: 'status', attrs: { id: 'form-status', role: 'status', 'aria-live': 'polite' } });
  readonly #button = h('button', { i18n: 'join_button', attrs: { type: 'submit', id: 'join' } });
  #state: Status | null = null;
  #lookupFor: string | null = null;
  #lookupAbort: AbortController | null = null;

  constructor(init: FormInit, private readonly onSubmit: (request: JoinRequest) => void) {
    this.#code.value = formatInviteCode(init.code);
    this.#name.value = init.name;
    this.#venue.value = init.venue;
    this.#hostKey.value = init.hostKey ?? '';
    const advanced = h('details', { class: 'advanced' }, h('summary', { i18n: 'advanced' }), field('hostKey', 'host_key_label', this.#hostKey));
    advanced.open = init.hostKey !== null;
    this.el = h(
      'form',
      { class: 'join-form', attrs: { novalidate: '', autocomplete: 'on' } },
      h('h1', { i18n: 'form_heading' }),
      this.#title,
      field('code', 'code_label', this.#code),
      field('name', 'name_label', this.#name),
      field('venue', 'venue_label', this.#venue),
      this.#venues,
      advanced,
      this.#status,
      this.#button,
    );
    show(this.#title, false);
    this.#code.addEventListener('input', () => this.#codeChanged());
    this.#code.addEventListener('blur', () => {
      if (this.#code.value.trim()) this.#code.value = formatInviteCode(this.#code.value);
    });
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#submit();
    });
    this.#codeChanged();
  }

  /** While a join is under way the button is disabled and says so. */
  setBusy(busy: boolean): void {
    this.#button.disabled = busy;
    setLabel(this.#button, busy ? 'joining' : 'join_button');
    if (busy) this.#setStatus(null);
  }

  /** Show why the join did not succeed; `text` is re-evaluated after a language switch. */
  showError(text: () => string): void {
    this.#setStatus({ text, tone: 'error' });
  }

  /** Re-render texts that carry parameters. */
  relabel(): void {
    this.#setStatus(this.#state);
  }

  #codeChanged(): void {
    const digits = parseInviteCode(this.#code.value);
    if (!digits || digits === this.#lookupFor) return;
    this.#lookupFor = digits;
    this.#lookupAbort?.abort();
    const abort = new AbortController();
    this.#lookupAbort = abort;
    this.#setStatus({ key: 'lookup_checking', tone: 'info' });
    lookupCode(digits, abort.signal).then(
      (r) => {
        if (!abort.signal.aborted) this.#showLookup(r);
      },
      (err: unknown) => {
        if (!abort.signal.aborted) console.warn('jiaoyan: look-up failed', err);
      },
    );
  }

  #showLookup(r: Lookup): void {
    show(this.#title, r.kind === 'found');
    switch (r.kind) {
      case 'found':
        this.#title.textContent = r.title;
        this.#venues.replaceChildren(...r.venues.map((v) => Object.assign(document.createElement('option'), { value: v })));
        return this.#setStatus(null);
      case 'unknown':
        return this.#setStatus({ key: 'lookup_unknown', tone: 'error' });
      case 'ended':
        return this.#setStatus({ key: 'lookup_ended', tone: 'error' });
      case 'rateLimited':
        this.#lookupFor = null; // allow another look-up of the same code later
        return this.#setStatus({ key: 'lookup_rate_limited', params: { seconds: r.seconds }, tone: 'error' });
      case 'failed':
        this.#lookupFor = null;
        return this.#setStatus({ key: 'lookup_failed', tone: 'error' });
    }
  }

  #setStatus(s: Status | null): void {
    this.#state = s;
    this.#status.textContent = s === null ? '' : 'key' in s ? t(s.key, s.params) : s.text();
    this.#status.className = `status${s ? ` status-${s.tone}` : ''}`;
  }

  #submit(): void {
    const code = parseInviteCode(this.#code.value);
    const name = this.#name.value.trim();
    const venue = this.#venue.value.trim();
    const hostKey = this.#hostKey.value.trim();
    const problem: [MessageKey, HTMLInputElement] | null = !code
      ? ['code_invalid', this.#code]
      : !name
        ? ['name_required', this.#name]
        : !venue
          ? ['venue_required', this.#venue]
          : hostKey && !isHostKey(hostKey)
            ? ['host_key_invalid', this.#hostKey]
            : null;
    if (problem || !code) {
      if (problem) {
        this.#setStatus({ key: problem[0], tone: 'error' });
        problem[1].focus();
      }
      return;
    }
    this.#code.value = formatInviteCode(code);
    saveJoinPrefs({ code, name, venue });
    this.onSubmit(hostKey ? { code, name, venue, hostKey } : { code, name, venue });
  }
}
