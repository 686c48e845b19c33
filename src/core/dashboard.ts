// What the terminal dashboards show, as plain data: the CLI folds relay messages into these snapshots and the
// Ink components (src/ui) render them. Structurally the same shapes as the signaling protocol's messages, kept
// here so the UI depends on core only.

export type DashboardRole = 'host' | 'speaker' | 'viewer';

export interface DashboardParticipant {
  readonly peerId: string;
  readonly name: string;
  readonly venue: string;
  readonly role: DashboardRole;
  readonly seat: boolean;
  readonly publishing: boolean;
  readonly hand: boolean;
  readonly muted: { readonly audio: boolean; readonly video: boolean };
  /** From the relay's `status` messages (host monitors only); null/undefined when not known. */
  readonly inKbps?: number | null;
  readonly outKbps?: number | null;
  /** 0..1 */
  readonly loss?: number | null;
  readonly rttMs?: number | null;
  /** Speaking level 0..1. */
  readonly level?: number | null;
  /** The layer this participant's main video gets (l, m, h) or 'audio' (video paused for its link). */
  readonly layer?: 'l' | 'm' | 'h' | 'audio' | null;
  /** The relay's estimate of this participant's downlink, kbit/s. */
  readonly estimateKbps?: number | null;
}

export interface DashboardChatLine {
  readonly from: string;
  readonly venue: string;
  readonly text: string;
  /** ISO 8601 */
  readonly at: string;
}

export interface RelayLoadFigures {
  readonly cpuPercent: number;
  readonly rssMb: number;
  readonly eventLoopLagMs: number;
}

/** One live session, as `jiaoyan status` shows it. */
export interface SessionSnapshot {
  /** ISO 8601 time of the latest update. */
  readonly at: string;
  readonly code: string;
  readonly title: string;
  readonly kind: string;
  readonly rundown: { readonly steps: readonly { readonly venue: string; readonly label: string }[]; readonly current: number | null };
  readonly mainVenue: string | null;
  /** A push in progress (switches on the new venue's next keyframe). */
  readonly pendingVenue: string | null;
  readonly seats: { readonly total: number; readonly taken: number };
  readonly recording: boolean;
  readonly participants: readonly DashboardParticipant[];
  /** Viewers (not seat holders, not the host) per venue, largest first. */
  readonly viewersByVenue: readonly { readonly venue: string; readonly count: number }[];
  /** The latest discussion lines, oldest first. */
  readonly chat: readonly DashboardChatLine[];
  readonly relay: RelayLoadFigures | null;
  /** Whether this dashboard holds the host key (controls available). */
  readonly host: boolean;
}

/** The relay as a whole, as `jiaoyan relay start` shows it on a terminal. */
export interface RelaySnapshot {
  readonly at: string;
  readonly url: string;
  readonly uptimeSeconds: number;
  readonly sessions: readonly { readonly code: string; readonly title: string; readonly kind: string; readonly peers: number; readonly mainVenue: string | null }[];
  readonly peers: number;
  readonly traffic: { readonly inKbps: number; readonly outKbps: number; readonly inPps: number; readonly outPps: number };
  readonly load: RelayLoadFigures;
  /** Recent notable events (joins, leaves, pushes, errors), oldest first. */
  readonly log: readonly { readonly at: string; readonly text: string }[];
}

/** What the session dashboard can ask the relay to do (host key only). Each rejects with a JiaoyanError. */
export interface SessionControls {
  pushVenue(venue: string): Promise<void>;
  nextStep(): Promise<void>;
  grantSeat(peerId: string): Promise<void>;
  revokeSeat(peerId: string): Promise<void>;
  mute(peerId: string, kind: 'audio' | 'video'): Promise<void>;
  /** Start (true) or stop (false) recording the session. */
  record(on: boolean): Promise<void>;
}

/** Viewers per venue from a participant list (the host and seat holders are not viewers). */
export function viewersByVenue(participants: readonly DashboardParticipant[]): { venue: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const p of participants) if (p.role === 'viewer' && !p.seat) counts.set(p.venue, (counts.get(p.venue) ?? 0) + 1);
  return [...counts].map(([venue, count]) => ({ venue, count })).sort((a, b) => b.count - a.count || a.venue.localeCompare(b.venue));
}
