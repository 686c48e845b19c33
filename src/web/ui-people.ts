// The participants list, grouped by venue: name, role, seat, and muted microphone/camera icons.
import type { Participant } from '../signaling/protocol.js';
import { h, icon } from './dom.js';
import type { MessageKey } from './i18n.js';
import { groupByVenue } from './people.js';

const ROLE_KEY: Record<Participant['role'], MessageKey> = { host: 'role_host', speaker: 'role_speaker', viewer: 'role_viewer' };

function person(p: Participant, selfId: string | null): HTMLElement {
  const li = h('li', { class: 'person', attrs: { 'data-peer': p.peerId } }, h('span', { class: 'person-name', text: p.name }));
  if (p.peerId === selfId) li.append(h('span', { class: 'you', i18n: 'you' }));
  li.append(h('span', { class: `badge badge-${p.role}`, i18n: ROLE_KEY[p.role] }));
  if (p.seat && p.role !== 'host') li.append(h('span', { class: 'badge badge-seat', i18n: 'seat_badge' }));
  if (p.publishing && p.muted.audio) li.append(icon('micOff', 'mic_muted'));
  if (p.publishing && p.muted.video) li.append(icon('camOff', 'cam_muted'));
  return li;
}

/** Replace `list`'s content with the grouped participants. */
export function renderPeople(list: HTMLElement, participants: readonly Participant[], mainVenue: string | null, selfId: string | null): void {
  list.replaceChildren(
    ...groupByVenue(participants, mainVenue).map((g) =>
      h(
        'li',
        { class: `venue${g.venue === mainVenue ? ' venue-main' : ''}` },
        h('h3', { class: 'venue-name', text: g.venue }),
        h('ul', { class: 'venue-people' }, ...g.participants.map((p) => person(p, selfId))),
      ),
    ),
  );
}
