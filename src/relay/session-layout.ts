// Who receives what in a live session: the main venue (the program feed) for everyone but its own publisher, and the
// other seat holders' streams for those who may publish.
import type { MediaKind, PacketSource } from './packet-source.js';
import type { Layout, Participant } from './participant.js';
import type { ProgramFeed } from './program-feed.js';

/** What the layout is computed from (a LiveSession). */
export interface LayoutSource {
  readonly program: ProgramFeed;
  readonly participants: ReadonlyMap<string, Participant>;
  readonly mainPeerId: string | null;
}

export function layoutOf(s: LayoutSource, p: Participant): Layout {
  // The main venue's own publisher is not sent its stream back (it would only waste its downlink).
  const main = new Map<MediaKind, PacketSource>();
  if (s.program.current && s.program.current.peerId !== p.id) {
    main.set('audio', s.program.audio);
    main.set('video', s.program.video);
  }
  const seats = p.canPublish
    ? [...s.participants.values()]
        .filter((o) => o.id !== p.id && o.id !== s.mainPeerId && !o.monitor && (o.seat || o.role === 'host') && o.publishing)
        .map((o) => ({ peerId: o.id, publications: o.publications }))
    : [];
  return { main, seats };
}
