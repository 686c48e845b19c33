// The WebSocket signaling protocol (`/ws`): every message is a discriminated union validated here, at the
// boundary. Documented in docs/protocol.md — keep the two in step. Imports nothing but zod.
import { z } from 'zod';

/** Largest text frame the relay accepts; bigger frames close the socket (1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const name = z.string().trim().min(1).max(64);
const sdp = z.string().min(10).max(60_000);
const kind = z.enum(['audio', 'video']);
const peerId = z.string().min(1).max(64);
/** Longest chat message, in characters. */
export const MAX_CHAT_CHARS = 500;

// ── Shared documents (Yjs) ─────────────────────────────────────────────────────────────────────────────────────
/** A document's name: `plan`, `summary`, … (checked by the relay: DOC_NAME_BAD). */
export const DOC_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** Documents per session (DOC_LIMIT). */
export const MAX_DOCS_PER_SESSION = 8;
/** A document's encoded state, bytes (DOC_TOO_LARGE); also the most a chunked message may add up to. */
export const MAX_DOC_BYTES = 2 * 1024 * 1024;
/** A decoded awareness update, bytes (DOC_AWARENESS_BAD). */
export const MAX_AWARENESS_BYTES = 8 * 1024;
/**
 * Largest piece of a chunked doc message: base64 characters of an update (a multiple of 4, so each piece decodes
 * on its own to 36 KiB) or UTF-16 code units of a text (×3 bytes at most in UTF-8).
 */
export const DOC_CHUNK_CHARS = 48 * 1024;
export const DOC_TEXT_CHUNK_CHARS = 16 * 1024;
const docName = z.string().min(1).max(64);
/** Standard base64 (binary Yjs data); the empty string is an empty state vector. */
const base64 = z.string().max(MAX_MESSAGE_BYTES).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
/** Set on every piece of a chunked message but the last; the receiver joins the pieces (per doc) in order. */
const more = z.literal(true).optional();

/** Client → relay. */
export const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('join'),
    /** Invite code, digits only or with dashes (482-193-775). */
    code: z.string().regex(/^[0-9 -]{9,13}$/),
    name,
    venue: name,
    hostKey: z.string().min(16).max(128).optional(),
    /**
     * Join without media and without being listed (CLI tools: status, chat, venue, seat). A monitor gets
     * `state`, `chat` and — with the host key — a `status` snapshot every second.
     */
    monitor: z.boolean().optional(),
    /**
     * Join on behalf of someone at a school relay (cascade): listed and acting like anyone (hand, seat, chat,
     * publishing), but sent no media — the school relay already receives the program once for everybody.
     */
    proxy: z.boolean().optional(),
    /**
     * A school relay's token at this relay (its admin token, or a school token from `library token create`): a
     * wrong one is refused (RELAY_TOKEN_WRONG); with a right one the code look-ups are not limited per address.
     */
    relayToken: z.string().min(16).max(256).optional(),
  }),
  /** Ask for a seat (speaker role); refused when full or not allowed. */
  z.object({ type: z.literal('takeSeat') }),
  z.object({ type: z.literal('leaveSeat') }),
  /** Offer of the publishing connection (client sends; relay answers). Host or seat holder only. */
  z.object({ type: z.literal('publish'), sdp }),
  /** Stop publishing (closes the publishing connection). */
  z.object({ type: z.literal('unpublish') }),
  /** Answer to the relay's `subscribeOffer`. */
  z.object({ type: z.literal('subscribeAnswer'), sdp, version: z.number().int().nonnegative() }),
  /**
   * The subscribing connection failed on the client's side (ICE or DTLS): the relay starts a new one and sends a
   * `subscribeOffer` with `restart: true` (at most 3 restarts a minute, then `SUBSCRIBE_RESTART_LIMIT`). `version`:
   * the last offer answered on the failed connection — one the relay has already replaced is not restarted again.
   */
  z.object({ type: z.literal('resubscribe'), version: z.number().int().nonnegative().optional() }),
  /** One's own microphone / camera state (the media itself is controlled in the client). */
  z.object({ type: z.literal('mute'), kind, muted: z.boolean() }),
  z.object({ type: z.literal('ping'), t: z.number().optional() }),
  z.object({ type: z.literal('leave') }),
  /** Raise or lower one's hand (asking the host for a seat). */
  z.object({ type: z.literal('raiseHand'), raised: z.boolean() }),
  /** A discussion message to everyone in the session. */
  z.object({ type: z.literal('chat'), text: z.string().max(MAX_CHAT_CHARS * 4) }),
  // Host only ↓ (answered with `ack` carrying the request type, or `error`).
  /** Hand the main venue to the venue of that name (switches on its next keyframe). */
  z.object({ type: z.literal('pushVenue'), venue: name }),
  /** Go to the next step of the rundown (and push its venue). */
  z.object({ type: z.literal('nextStep') }),
  z.object({ type: z.literal('grantSeat'), peerId }),
  z.object({ type: z.literal('revokeSeat'), peerId }),
  /** Mute someone's microphone or camera. There is no remote unmute. */
  z.object({ type: z.literal('muteParticipant'), peerId, kind }),
  z.object({ type: z.literal('removeParticipant'), peerId }),
  /** Start (true) or stop (false) recording the session at the relay. */
  z.object({ type: z.literal('record'), on: z.boolean() }),
  // Shared documents (any joined participant; see docs/protocol.md "Documents") ↓
  /** Open (creating it if new) or resync a document: `sv` = base64 Y.encodeStateVector(local doc). → `docSync`. */
  z.object({ type: z.literal('docOpen'), doc: docName, sv: base64 }),
  /**
   * A Yjs update (base64), chunked when longer than DOC_CHUNK_CHARS. `label` (on the last piece): cut a revision
   * with this label right after applying it (`doc import` says `import`).
   */
  z.object({ type: z.literal('docUpdate'), doc: docName, update: base64, more, label: z.string().min(1).max(64).optional() }),
  /** A y-protocols awareness update (base64, ≤ MAX_AWARENESS_BYTES decoded): one's cursor, `user: {name, color}`. */
  z.object({ type: z.literal('docAwareness'), doc: docName, update: base64 }),
  z.object({ type: z.literal('docClose'), doc: docName }),
  /** → `docRevisions`. */
  z.object({ type: z.literal('docHistory'), doc: docName }),
  /** → `docText` with the text at that revision (DOC_REV_UNKNOWN). */
  z.object({ type: z.literal('docRevision'), doc: docName, rev: z.number().int().nonnegative() }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export const role = z.enum(['host', 'speaker', 'viewer']);
export type Role = z.infer<typeof role>;

export const participant = z.object({
  peerId: z.string(),
  name: z.string(),
  venue: z.string(),
  role,
  seat: z.boolean(),
  publishing: z.boolean(),
  muted: z.object({ audio: z.boolean(), video: z.boolean() }),
  /** Hand raised (asking for a seat). */
  hand: z.boolean(),
});
export type Participant = z.infer<typeof participant>;

/** What a subscriber's m-line carries: the main venue or one seat. */
export const streamSlot = z.object({
  mid: z.string(),
  kind,
  slot: z.enum(['main', 'seat']),
  /** The publishing peer currently behind this m-line (undefined while nobody is). */
  peerId: z.string().optional(),
});
export type StreamSlot = z.infer<typeof streamSlot>;

/** One step of a session's rundown: the venue that is main venue during it, and what happens. */
export const rundownStep = z.object({ venue: z.string(), label: z.string() });
export type RundownStep = z.infer<typeof rundownStep>;

export const chatMessage = z.object({
  from: z.string(),
  venue: z.string(),
  text: z.string(),
  /** Wall-clock time, ISO 8601. */
  at: z.string(),
  /** Seconds since the session started (lines chat up with a recording). */
  t: z.number(),
  peerId: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessage>;

/** Per-participant traffic, for the status dashboard. */
export const peerStats = z.object({
  peerId: z.string(),
  /** What the relay receives from this participant (publishing), kbit/s. */
  inKbps: z.number(),
  /** What the relay sends to this participant, kbit/s. */
  outKbps: z.number(),
  /** Fraction of packets lost towards this participant (from its receiver reports), 0..1. */
  loss: z.number().nullable(),
  rttMs: z.number().nullable(),
  /** Speaking level 0..1 (from the audio-level header extension), when known. */
  level: z.number().nullable(),
  /**
   * The simulcast layer this participant's main video gets (l, m, h; a single-layer venue's is h), `audio` while its
   * video is paused for its link, null with nothing to watch. Absent from relays before adaptation.
   */
  layer: z.enum(['l', 'm', 'h', 'audio']).nullable().default(null),
  /** The relay's estimate of this participant's downlink, kbit/s (null: not receiving). */
  estimateKbps: z.number().nullable().default(null),
});
export type PeerStats = z.infer<typeof peerStats>;

export const relayLoad = z.object({ cpuPercent: z.number(), rssMb: z.number(), eventLoopLagMs: z.number() });
export type RelayLoad = z.infer<typeof relayLoad>;

export const sessionInfo = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  seats: z.number().int(),
  venues: z.array(z.string()),
});

/** A document of the session, as `docList` shows it. */
export const docInfo = z.object({
  name: z.string(),
  /** Characters of its text (refreshed every few seconds, not on every keystroke). */
  chars: z.number().int(),
  /** Last change, ISO 8601. */
  updatedAt: z.string(),
});
export type DocInfo = z.infer<typeof docInfo>;

/** A revision of a document: cut after an edit burst, on import, and when the session ends. */
export const docRevision = z.object({
  rev: z.number().int(),
  /** When it was cut, ISO 8601. */
  at: z.string(),
  /** Names of who edited since the previous revision. */
  by: z.array(z.string()),
  chars: z.number().int(),
  /** Encoded size of the document's state at that point. */
  bytes: z.number().int(),
  /** Why it was cut when not just an edit burst (`import`, …). */
  label: z.string().optional(),
});
export type DocRevision = z.infer<typeof docRevision>;

/** A short recorded voice message of the session (`POST /api/sessions/<id>/notices`). */
export const voiceNotice = z.object({
  id: z.string(),
  /** Who recorded it (participant name) and from which venue. */
  by: z.string(),
  venue: z.string(),
  /** When it was added, ISO 8601. */
  at: z.string(),
  /** Length, seconds. */
  seconds: z.number(),
  bytes: z.number().int(),
  /** `audio/ogg` or `audio/webm` (Opus either way). */
  mime: z.string(),
});
export type VoiceNotice = z.infer<typeof voiceNotice>;

/** Relay → client. */
export const serverMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('joined'), peerId: z.string(), role, session: sessionInfo,
    /**
     * This participant's credential for the session's HTTP side (voice notices: header `X-Jiaoyan-Member` or
     * `?m=`), valid while it stays connected. Always sent; optional only so older relays still parse.
     */
    memberToken: z.string().optional(),
  }),
  z.object({
    type: z.literal('state'),
    participants: z.array(participant),
    /** Venue name of the main venue (what every viewer watches), if any. */
    mainVenue: z.string().nullable(),
    mainPeerId: z.string().nullable(),
    /** A push in progress: the venue the main venue switches to on its next keyframe. */
    pendingVenue: z.string().nullable(),
    seats: z.object({ total: z.number().int(), taken: z.number().int() }),
    rundown: z.object({ steps: z.array(rundownStep), current: z.number().int().nullable() }),
    /** Whether viewers may take a free seat themselves (else they raise a hand and the host grants). */
    selfSeat: z.boolean(),
    recording: z.boolean(),
    /** On a school relay (cascade): whether its link to the upstream relay is up or being re-established. */
    upstream: z.enum(['connected', 'reconnecting']).optional(),
  }),
  z.object({ type: z.literal('seat'), granted: z.boolean() }),
  z.object({ type: z.literal('publishAnswer'), sdp }),
  z.object({
    type: z.literal('subscribeOffer'), sdp, version: z.number().int(), streams: z.array(streamSlot),
    /** The relay replaced the subscribing connection: discard yours and answer on a new one. */
    restart: z.boolean().optional(),
  }),
  z.object({ type: z.literal('pong'), t: z.number().optional() }),
  z.object({
    type: z.literal('error'), code: z.string(), message: z.string(), ref: z.string().optional(),
    /** The message's parameters, so a client can show it in its own language. */
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
  z.object({ type: z.literal('ended'), reason: z.string() }),
  /** A host request (`ref` = its type) was carried out. */
  z.object({ type: z.literal('ack'), ref: z.string() }),
  z.object({ type: z.literal('chat'), message: chatMessage }),
  /** The recent discussion, sent once after `joined`. */
  z.object({ type: z.literal('chatHistory'), messages: z.array(chatMessage) }),
  /** The session's voice notices so far, oldest first, once after `joined`. */
  z.object({ type: z.literal('notices'), notices: z.array(voiceNotice) }),
  /** A voice notice was just added (to everyone, the uploader included). */
  z.object({ type: z.literal('notice'), notice: voiceNotice }),
  /** The host muted this participant's microphone or camera: turn it off (only the participant turns it on). */
  z.object({ type: z.literal('mutedByHost'), kind }),
  /** For host monitors, every second: traffic per participant and the relay's load. */
  z.object({ type: z.literal('status'), at: z.string(), peers: z.array(peerStats), relay: relayLoad }),
  // Shared documents ↓ (`update`/`text` chunked like the client's `docUpdate`: `more` on every piece but the last).
  /**
   * Answer to `docOpen`: `update` = what the client lacks (Y.encodeStateAsUpdate(relay doc, client sv)); `sv` = the
   * relay's state vector: reply with `docUpdate` = Y.encodeStateAsUpdate(local doc, sv) when that is not empty.
   */
  z.object({ type: z.literal('docSync'), doc: z.string(), update: z.string(), sv: z.string(), more: z.literal(true).optional() }),
  /** Someone else's update (never one's own back). */
  z.object({ type: z.literal('docUpdate'), doc: z.string(), update: z.string(), more: z.literal(true).optional() }),
  /** Others' cursors (and their removal when someone leaves). */
  z.object({ type: z.literal('docAwareness'), doc: z.string(), update: z.string() }),
  /** The session's documents: after `joined` and whenever the set changes. */
  z.object({ type: z.literal('docList'), docs: z.array(docInfo) }),
  z.object({ type: z.literal('docRevisions'), doc: z.string(), revisions: z.array(docRevision) }),
  z.object({ type: z.literal('docText'), doc: z.string(), rev: z.number().int(), text: z.string(), more: z.literal(true).optional() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: 'BAD_JSON' | 'BAD_MESSAGE' | 'TOO_LARGE'; detail: string };

/** Parse one text frame from a client; never throws. */
export function parseClientMessage(data: string): ParseResult {
  if (Buffer.byteLength(data) > MAX_MESSAGE_BYTES) return { ok: false, code: 'TOO_LARGE', detail: `over ${MAX_MESSAGE_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (err) {
    return { ok: false, code: 'BAD_JSON', detail: (err as Error).message };
  }
  const r = clientMessage.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, code: 'BAD_MESSAGE', detail: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: r.data };
}

/** Normalise an invite code to its 9 digits ("482-193-775" → "482193775"). */
export function normaliseCode(code: string): string {
  return code.replace(/[^0-9]/g, '');
}

/** Show 9 digits as 482-193-775. */
export function formatCode(digits: string): string {
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)}`;
}
