// A session's rundown: the ordered venues of a multi-venue activity, each with what happens there
// ("教育中心:开场,三小:第一节,…"), and which step is current.
import type { RundownStep } from '../signaling/protocol.js';

/** "教育中心:开场" → { venue: '教育中心', label: '开场' }; a bare venue is its own label. Full-width colons too. */
export function parseRundownStep(text: string): RundownStep {
  const m = /^(.*?)[:：](.*)$/.exec(text.trim());
  const venue = (m ? m[1]! : text).trim();
  const label = (m ? m[2]! : '').trim();
  return { venue, label: label || venue };
}

export function parseRundown(venues: readonly string[]): RundownStep[] {
  return venues.map(parseRundownStep).filter((s) => s.venue.length > 0);
}
