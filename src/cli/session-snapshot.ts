// Folds what a monitor connection receives (state, status, chat) into the dashboard's SessionSnapshot.
import { viewersByVenue, type SessionSnapshot } from '../core/dashboard.js';
import type { ParticipantClient } from '../client/participant-client.js';
import { formatCode } from '../signaling/protocol.js';

const CHAT_LINES = 20;

export function sessionSnapshot(client: ParticipantClient, code: string): SessionSnapshot | undefined {
  const state = client.lastState;
  if (!state) return undefined;
  const status = client.lastStatus;
  const stats = new Map((status?.peers ?? []).map((p) => [p.peerId, p]));
  const participants = state.participants.map((p) => {
    const s = stats.get(p.peerId);
    return s ? { ...p, inKbps: s.inKbps, outKbps: s.outKbps, loss: s.loss, rttMs: s.rttMs, level: s.level, layer: s.layer, estimateKbps: s.estimateKbps } : { ...p };
  });
  const { session } = client.joined;
  return {
    at: status?.at ?? new Date().toISOString(),
    code: formatCode(code), title: session.title, kind: session.kind,
    rundown: state.rundown, mainVenue: state.mainVenue, pendingVenue: state.pendingVenue,
    seats: state.seats, recording: state.recording, participants,
    viewersByVenue: viewersByVenue(participants),
    chat: client.chat.slice(-CHAT_LINES).map(({ from, venue, text, at }) => ({ from, venue, text, at })),
    relay: status?.relay ?? null,
    host: client.joined.role === 'host',
  };
}
