// Simulcast layers: their order, their names, and which one a viewer gets for a level. Browsers publish up to three
// encodings of the camera (rids "h", "m", "l" from the join page); werift receives each as a track of the same
// receiver (`trackByRID`). Pure functions.
import type { Level } from './layer-chooser.js';

/** A layer as viewers see it: l(ow), m(iddle), h(igh). A single-layer publication's one layer is "h". */
export type LayerName = 'l' | 'm' | 'h';
/** What a viewer's main video gets: a layer, or audio only (video paused for its link). */
export type ViewerLayer = LayerName | 'audio';

const RANK: Record<string, number> = { l: 0, m: 1, h: 2 };
const LEVEL_OF: Record<LayerName, 1 | 2 | 3> = { l: 1, m: 2, h: 3 };

/**
 * The rids of a simulcast offer, lowest quality first. The join page's rids (l, m, h) say their quality; other
 * rids are taken in the offer's order read as best first (the first encoding is the one a browser keeps when the
 * answer refuses simulcast, so pages list the full picture first).
 */
export function orderRids(rids: readonly string[]): string[] {
  if (rids.every((r) => r in RANK)) return [...rids].sort((a, b) => RANK[a]! - RANK[b]!);
  return [...rids].reverse();
}

/** Names of `count` layers, lowest first: h; l h; l m h (more than three: the middle ones are m). */
export function layerNames(count: number): LayerName[] {
  if (count <= 1) return ['h'];
  return Array.from({ length: count }, (_, i): LayerName => (i === 0 ? 'l' : i === count - 1 ? 'h' : 'm'));
}

export interface Layered {
  readonly lastPacketAt?: number;
}

/** A layer that delivered a packet within this long counts as sending (the publisher drops layers its uplink cannot carry). */
export const LAYER_ACTIVE_MS = 1500;

/**
 * The layer for `level` out of `layers` (lowest first): the best one whose quality is at most the level, among
 * those actually sending; none fits → the lowest sending one (a single-layer publication is forwarded whatever the
 * level, except audio only). Undefined for level 0 or no layers.
 */
export function pickLayer<T extends Layered>(layers: readonly T[], level: Level, now: number): { layer: T; name: LayerName } | undefined {
  if (level === 0 || layers.length === 0) return undefined;
  const names = layerNames(layers.length);
  const all = layers.map((layer, i) => ({ layer, name: names[i]! }));
  const sending = all.filter((x) => x.layer.lastPacketAt !== undefined && now - x.layer.lastPacketAt <= LAYER_ACTIVE_MS);
  // Nothing sending yet (a fresh publication): choose among all, the first packets decide later.
  const pool = sending.length > 0 ? sending : all;
  let best: (typeof all)[number] | undefined;
  for (const x of pool) if (LEVEL_OF[x.name] <= level) best = x;
  return best ?? pool[0];
}
