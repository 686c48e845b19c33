// Light, hand-written validation of what the relay sends (src/signaling/protocol.ts `serverMessage` is the
// contract; zod stays out of the browser bundle). Only the types are imported. Pure: no DOM.
import type { Participant, Role, ServerMessage, StreamSlot } from '../signaling/protocol.js';

export type ServerParse = { ok: true; message: ServerMessage } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isOptNum = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));
const isOptStr = (v: unknown): boolean => v === undefined || isStr(v);
const isStrOrNull = (v: unknown): boolean => v === null || isStr(v);
const isSdp = (v: unknown): v is string => isStr(v) && v.length >= 10 && v.length <= 60_000;

const isRole = (v: unknown): v is Role => v === 'host' || v === 'speaker' || v === 'viewer';

function isParticipant(v: unknown): v is Participant {
  return (
    isObj(v) &&
    isStr(v.peerId) &&
    isStr(v.name) &&
    isStr(v.venue) &&
    isRole(v.role) &&
    isBool(v.seat) &&
    isBool(v.publishing) &&
    isObj(v.muted) &&
    isBool(v.muted.audio) &&
    isBool(v.muted.video)
  );
}

function isStreamSlot(v: unknown): v is StreamSlot {
  return (
    isObj(v) &&
    isStr(v.mid) &&
    (v.kind === 'audio' || v.kind === 'video') &&
    (v.slot === 'main' || v.slot === 'seat') &&
    isOptStr(v.peerId)
  );
}

function isSession(v: unknown): boolean {
  return isObj(v) && isStr(v.id) && isStr(v.title) && isStr(v.kind) && isInt(v.seats) && Array.isArray(v.venues) && v.venues.every(isStr);
}

/** Field checks per message type; a type missing here is unknown. */
const checks: Record<ServerMessage['type'], (m: Obj) => boolean> = {
  joined: (m) => isStr(m.peerId) && isRole(m.role) && isSession(m.session),
  state: (m) =>
    Array.isArray(m.participants) &&
    m.participants.every(isParticipant) &&
    isStrOrNull(m.mainVenue) &&
    isStrOrNull(m.mainPeerId) &&
    isObj(m.seats) &&
    isInt(m.seats.total) &&
    isInt(m.seats.taken),
  seat: (m) => isBool(m.granted),
  publishAnswer: (m) => isSdp(m.sdp),
  subscribeOffer: (m) => isSdp(m.sdp) && isInt(m.version) && Array.isArray(m.streams) && m.streams.every(isStreamSlot),
  pong: (m) => isOptNum(m.t),
  error: (m) => isStr(m.code) && isStr(m.message) && isOptStr(m.ref),
  ended: (m) => isStr(m.reason),
};

/** Parse one text frame from the relay; never throws. */
export function parseServerMessage(text: string): ServerParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (!isObj(json) || !isStr(json.type)) return { ok: false, reason: 'no type' };
  if (!Object.prototype.hasOwnProperty.call(checks, json.type)) return { ok: false, reason: `unknown type ${json.type}` };
  const check = checks[json.type as ServerMessage['type']];
  if (!check(json)) return { ok: false, reason: `malformed ${json.type}` };
  return { ok: true, message: json as unknown as ServerMessage };
}
