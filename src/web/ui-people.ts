// The participants list, grouped by venue: name, role, seat, raised hand, and muted microphone/camera icons.
// For the host also the controls: make a venue that broadcasts the main venue, and per participant give or
// take back a seat, mute, and remove (a second click confirms). Clicks are handled once on the list.
import type { Participant } from '../signaling/protocol.js';
import type { JoinClient } from './client.js';
import type { HostRequest } from './client-types.js';
import { h, icon } from './dom.js';
import type { MessageKey } from './i18n.js';
import { groupByVenue } from './people.js';

const ROLE_KEY: Record<Participant['role'], MessageKey> = { host: 'role_host', speaker: 'role_speaker', viewer: 'role_viewer' };
/** How long "Remove — sure?" waits for the confirming click. */
const CONFIRM_MS = 5_000;

type Action = 'push' | 'grant' | 'revoke' | 'mute-audio' | 'mute-video' | 'remove';

function action(kind: Action, label: MessageKey, cls: string, disabled = false): HTMLButtonElement {
  const b = h('button', { class: `host-action ${cls}`, i18n: label, attrs: { type: 'button', 'data-action': kind } });
  b.disabled = disabled;
  return b;
}

export class PeopleView {
  readonly el = h('ul', { class: 'people-list', attrs: { id: 'people' } });
  /** The participant whose "remove" was clicked once. */
  #armed: string | null = null;
  #armTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: JoinClient) {
    this.el.addEventListener('click', (e) => {
      const button = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button[data-action]') : null;
      if (button && !button.disabled) this.#act(button);
    });
  }

  /** Replace the list's content with the grouped participants. */
  render(): void {
    const c = this.client;
    const host = c.isHost;
    this.el.replaceChildren(
      ...groupByVenue(c.participants, c.mainVenue).map((g) => {
        const head = h('div', { class: 'venue-head' }, h('h3', { class: 'venue-name', text: g.venue }));
        if (host && g.participants.some((p) => p.publishing)) {
          const current = (g.venue === c.mainVenue && c.activity.pendingVenue === null) || g.venue === c.activity.pendingVenue;
          const push = action('push', 'make_main', 'make-main', current);
          push.dataset.venue = g.venue;
          head.append(push);
        }
        return h(
          'li',
          { class: `venue${g.venue === c.mainVenue ? ' venue-main' : ''}`, attrs: { 'data-venue': g.venue } },
          head,
          h('ul', { class: 'venue-people' }, ...g.participants.map((p) => this.#person(p))),
        );
      }),
    );
  }

  #person(p: Participant): HTMLElement {
    const c = this.client;
    const li = h('li', { class: 'person', attrs: { 'data-peer': p.peerId } }, h('span', { class: 'person-name', text: p.name }));
    const self = p.peerId === c.peerId;
    if (self) li.append(h('span', { class: 'you', i18n: 'you' }));
    li.append(h('span', { class: `badge badge-${p.role}`, i18n: ROLE_KEY[p.role] }));
    if (p.seat && p.role !== 'host') li.append(h('span', { class: 'badge badge-seat', i18n: 'seat_badge' }));
    if (p.hand) li.append(h('span', { class: 'badge badge-hand', i18n: 'hand_badge' }));
    if (p.publishing && p.muted.audio) li.append(icon('micOff', 'mic_muted'));
    if (p.publishing && p.muted.video) li.append(icon('camOff', 'cam_muted'));
    if (!c.isHost || self || p.role === 'host') return li;
    const actions = h('span', { class: 'person-actions' });
    if (p.seat) actions.append(action('revoke', 'revoke_seat', 'revoke-seat'));
    else actions.append(action('grant', 'grant_seat', `grant-seat${p.hand ? ' grant-hand' : ''}`, c.seats.taken >= c.seats.total));
    if (p.publishing && !p.muted.audio) actions.append(action('mute-audio', 'mute_mic', 'mute-mic'));
    if (p.publishing && !p.muted.video) actions.append(action('mute-video', 'mute_cam', 'mute-cam'));
    const armed = this.#armed === p.peerId;
    actions.append(action('remove', armed ? 'remove_confirm' : 'remove', `remove${armed ? ' armed' : ''}`));
    li.append(actions);
    return li;
  }

  #act(button: HTMLButtonElement): void {
    const kind = button.dataset.action as Action;
    if (kind === 'push') {
      const venue = button.dataset.venue;
      if (venue) this.client.hostRequest({ type: 'pushVenue', venue });
      return;
    }
    const peerId = button.closest<HTMLElement>('.person')?.dataset.peer;
    if (!peerId) return;
    if (kind === 'remove' && this.#armed !== peerId) return this.#arm(peerId);
    const request: HostRequest =
      kind === 'grant'
        ? { type: 'grantSeat', peerId }
        : kind === 'revoke'
          ? { type: 'revokeSeat', peerId }
          : kind === 'remove'
            ? { type: 'removeParticipant', peerId }
            : { type: 'muteParticipant', peerId, kind: kind === 'mute-audio' ? 'audio' : 'video' };
    if (kind === 'remove') this.#arm(null);
    this.client.hostRequest(request);
  }

  #arm(peerId: string | null): void {
    clearTimeout(this.#armTimer);
    this.#armed = peerId;
    if (peerId !== null) this.#armTimer = setTimeout(() => this.#arm(null), CONFIRM_MS);
    this.render();
  }
}
