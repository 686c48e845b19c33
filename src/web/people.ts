// The participants list grouped by venue: the main venue first, then the others alphabetically; inside a
// venue the host first, then seat holders, then viewers, each by name. Pure.
import type { Participant } from '../signaling/protocol.js';

export interface VenueGroup {
  venue: string;
  participants: Participant[];
}

const rank = (p: Participant): number => (p.role === 'host' ? 0 : p.seat ? 1 : 2);

export function groupByVenue(participants: readonly Participant[], mainVenue: string | null): VenueGroup[] {
  const byVenue = new Map<string, Participant[]>();
  for (const p of participants) {
    const list = byVenue.get(p.venue) ?? [];
    list.push(p);
    byVenue.set(p.venue, list);
  }
  const groups = [...byVenue].map(([venue, list]) => ({
    venue,
    participants: list.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId)),
  }));
  return groups.sort((a, b) => {
    if (a.venue === mainVenue) return -1;
    if (b.venue === mainVenue) return 1;
    return a.venue.localeCompare(b.venue);
  });
}
