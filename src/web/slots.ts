// Which received track goes where: the relay's `subscribeOffer.streams` names, per m-line (`mid`), the slot
// ("main" or a seat) and the publishing peer behind it. Generic over the track type so it is unit-tested
// without a browser.
import type { StreamSlot } from '../signaling/protocol.js';

export interface MediaPair<T> {
  audio?: T;
  video?: T;
}

export interface SlotLayout<T> {
  main: MediaPair<T>;
  /** The peer currently behind the main slot, when the relay says. */
  mainPeerId?: string;
  /** Seat tiles in the order the relay lists them, keyed by the publishing peer. */
  seats: Map<string, MediaPair<T>>;
}

/**
 * Map `streams` to tracks. `trackForMid` finds the received track of an m-line (undefined when the
 * connection has none yet). Seats with nobody behind them and one's own seat (`selfPeerId`) are left out;
 * the first m-line of a kind wins when the relay lists two.
 */
export function layoutStreams<T>(
  streams: readonly StreamSlot[],
  trackForMid: (mid: string) => T | undefined,
  selfPeerId: string | null = null,
): SlotLayout<T> {
  const layout: SlotLayout<T> = { main: {}, seats: new Map() };
  for (const s of streams) {
    const track = trackForMid(s.mid);
    if (s.slot === 'main') {
      if (s.peerId !== undefined && layout.mainPeerId === undefined) layout.mainPeerId = s.peerId;
      if (track !== undefined && layout.main[s.kind] === undefined) layout.main[s.kind] = track;
      continue;
    }
    if (s.peerId === undefined || s.peerId === selfPeerId) continue;
    let pair = layout.seats.get(s.peerId);
    if (!pair) {
      pair = {};
      layout.seats.set(s.peerId, pair);
    }
    if (track !== undefined && pair[s.kind] === undefined) pair[s.kind] = track;
  }
  return layout;
}

/** A short key naming the tracks of a pair, to tell whether a video element needs a new srcObject. */
export function pairKey<T extends { id: string }>(pair: MediaPair<T>): string {
  return `${pair.video?.id ?? '-'}|${pair.audio?.id ?? '-'}`;
}
