// Light, hand-written validation of what the relay sends (src/signaling/protocol.ts `serverMessage` is the
// contract; zod stays out of the browser bundle). Only the types are imported. Pure: no DOM.
import type { ChatMessage, Participant, Role, ServerMessage, StreamSlot } from '../signaling/protocol.js';

export type ServerParse = { ok: true; message: ServerMessage } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isOptNum = (v: unknown): boolean => v === undefined || isNum(v);
const isOptStr = (v: unknown): boolean => v === undefined || isStr(v);
const isStrOrNull = (v: unknown): boolean => v === null || isStr(v);
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v);
const isSdp = (v: unknown): v is string => isStr(v) && v.length >= 10 && v.length <= 60_000;
const isKind = (v: unknown): boolean => v === 'audio' || v === 'video';
const isArrayOf = (v: unknown, item: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(item);

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
    isBool(v.muted.video) &&
    isBool(v.hand)
  );
}

function isStreamSlot(v: unknown): v is StreamSlot {
  return isObj(v) && isStr(v.mid) && isKind(v.kind) && (v.slot === 'main' || v.slot === 'seat') && isOptStr(v.peerId);
}

function isSession(v: unknown): boolean {
  return isObj(v) && isStr(v.id) && isStr(v.title) && isStr(v.kind) && isInt(v.seats) && isArrayOf(v.venues, isStr);
}

function isRundown(v: unknown): boolean {
  return isObj(v) && isArrayOf(v.steps, (s) => isObj(s) && isStr(s.venue) && isStr(s.label)) && (v.current === null || isInt(v.current));
}

function isChatMessage(v: unknown): v is ChatMessage {
  return isObj(v) && isStr(v.from) && isStr(v.venue) && isStr(v.text) && isStr(v.at) && isNum(v.t) && isStr(v.peerId);
}

function isPeerStats(v: unknown): boolean {
  return isObj(v) && isStr(v.peerId) && isNum(v.inKbps) && isNum(v.outKbps) && isNumOrNull(v.loss) && isNumOrNull(v.rttMs) && isNumOrNull(v.level);
}

const isOptMore = (v: unknown): boolean => v === undefined || v === true;
const isDocRevision = (v: unknown): boolean =>
  isObj(v) && isInt(v.rev) && isStr(v.at) && isArrayOf(v.by, isStr) && isInt(v.chars) && isInt(v.bytes) && isOptStr(v.label);

const isVoiceNotice = (v: unknown): boolean =>
  isObj(v) && isStr(v.id) && isStr(v.by) && isStr(v.venue) && isStr(v.at) && isNum(v.seconds) && isInt(v.bytes) && isStr(v.mime);

const isParams = (v: unknown): boolean => v === undefined || (isObj(v) && Object.values(v).every((x) => isStr(x) || isNum(x)));

/** Field checks per message type; a type missing here is unknown. */
const checks: Record<ServerMessage['type'], (m: Obj) => boolean> = {
  joined: (m) => isStr(m.peerId) && isRole(m.role) && isSession(m.session) && isOptStr(m.memberToken),
  state: (m) =>
    isArrayOf(m.participants, isParticipant) &&
    isStrOrNull(m.mainVenue) &&
    isStrOrNull(m.mainPeerId) &&
    isStrOrNull(m.pendingVenue) &&
    isObj(m.seats) &&
    isInt(m.seats.total) &&
    isInt(m.seats.taken) &&
    isRundown(m.rundown) &&
    isBool(m.selfSeat) &&
    isBool(m.recording) &&
    (m.upstream === undefined || m.upstream === 'connected' || m.upstream === 'reconnecting'),
  seat: (m) => isBool(m.granted),
  publishAnswer: (m) => isSdp(m.sdp),
  subscribeOffer: (m) => isSdp(m.sdp) && isInt(m.version) && isArrayOf(m.streams, isStreamSlot),
  pong: (m) => isOptNum(m.t),
  error: (m) => isStr(m.code) && isStr(m.message) && isOptStr(m.ref) && isParams(m.params),
  ended: (m) => isStr(m.reason),
  ack: (m) => isStr(m.ref),
  chat: (m) => isChatMessage(m.message),
  chatHistory: (m) => isArrayOf(m.messages, isChatMessage),
  notices: (m) => isArrayOf(m.notices, isVoiceNotice),
  notice: (m) => isVoiceNotice(m.notice),
  mutedByHost: (m) => isKind(m.kind),
  status: (m) =>
    isStr(m.at) &&
    isArrayOf(m.peers, isPeerStats) &&
    isObj(m.relay) &&
    isNum(m.relay.cpuPercent) &&
    isNum(m.relay.rssMb) &&
    isNum(m.relay.eventLoopLagMs),
  docSync: (m) => isStr(m.doc) && isStr(m.update) && isStr(m.sv) && isOptMore(m.more),
  docUpdate: (m) => isStr(m.doc) && isStr(m.update) && isOptMore(m.more),
  docAwareness: (m) => isStr(m.doc) && isStr(m.update),
  docList: (m) => isArrayOf(m.docs, (d) => isObj(d) && isStr(d.name) && isInt(d.chars) && isStr(d.updatedAt)),
  docRevisions: (m) => isStr(m.doc) && isArrayOf(m.revisions, isDocRevision),
  docText: (m) => isStr(m.doc) && isInt(m.rev) && isStr(m.text) && isOptMore(m.more),
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
