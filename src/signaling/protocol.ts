// The WebSocket signaling protocol (`/ws`): every message is a discriminated union validated here, at the
// boundary. Documented in docs/protocol.md — keep the two in step. Imports nothing but zod.
import { z } from 'zod';

/** Largest text frame the relay accepts; bigger frames close the socket (1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const name = z.string().trim().min(1).max(64);
const sdp = z.string().min(10).max(60_000);
const kind = z.enum(['audio', 'video']);

/** Client → relay. */
export const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('join'),
    /** Invite code, digits only or with dashes (482-193-775). */
    code: z.string().regex(/^[0-9 -]{9,13}$/),
    name,
    venue: name,
    hostKey: z.string().min(16).max(128).optional(),
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
  /** One's own microphone / camera state (the media itself is controlled in the client). */
  z.object({ type: z.literal('mute'), kind, muted: z.boolean() }),
  z.object({ type: z.literal('ping'), t: z.number().optional() }),
  z.object({ type: z.literal('leave') }),
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

export const sessionInfo = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  seats: z.number().int(),
  venues: z.array(z.string()),
});

/** Relay → client. */
export const serverMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('joined'), peerId: z.string(), role, session: sessionInfo }),
  z.object({
    type: z.literal('state'),
    participants: z.array(participant),
    /** Venue name of the main venue (what every viewer watches), if any. */
    mainVenue: z.string().nullable(),
    mainPeerId: z.string().nullable(),
    seats: z.object({ total: z.number().int(), taken: z.number().int() }),
  }),
  z.object({ type: z.literal('seat'), granted: z.boolean() }),
  z.object({ type: z.literal('publishAnswer'), sdp }),
  z.object({ type: z.literal('subscribeOffer'), sdp, version: z.number().int(), streams: z.array(streamSlot) }),
  z.object({ type: z.literal('pong'), t: z.number().optional() }),
  z.object({
    type: z.literal('error'), code: z.string(), message: z.string(), ref: z.string().optional(),
    /** The message's parameters, so a client can show it in its own language. */
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
  z.object({ type: z.literal('ended'), reason: z.string() }),
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
