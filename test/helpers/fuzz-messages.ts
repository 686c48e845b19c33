// Generators for the relay fuzz test: random text and JSON, valid signaling messages with mutated fields,
// prototype-pollution keys, corrupted frames, binary frames, invalid UTF-8, frames around 64 KiB, garbage SDP.
import type { Rng } from './fuzz-rng.js';
import type { Frame } from './fuzz-socket.js';
import { DOC_TYPES, docEntries } from './fuzz-docs.js';

/** JSON object text from key/value pairs: keeps `__proto__` as an own key and allows duplicate keys. */
export function objectText(entries: readonly (readonly [string, unknown])[]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
}

const TYPES = ['join', 'takeSeat', 'leaveSeat', 'publish', 'unpublish', 'subscribeAnswer', 'mute', 'ping', 'leave', 'raiseHand', 'chat',
  'pushVenue', 'nextStep', 'grantSeat', 'revokeSeat', 'muteParticipant', 'removeParticipant', ...DOC_TYPES] as const;
const UNKNOWN_TYPES = ['', 'PING', 'Ping', ' ping', 'ping ', 'join\u0000', 'publishAnswer', 'subscribeOffer', 'state', 'error',
  'ended', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'admin', 'endSession', '加入', '💥'];
const POLLUTION: readonly (readonly [string, unknown])[] = [
  ['__proto__', { polluted: 'yes', type: 'join', hostKey: 'k'.repeat(32), isAdmin: true }],
  ['constructor', { prototype: { polluted: 'yes' } }],
  ['prototype', { polluted: 'yes' }],
  ['__proto__', null],
  ['__proto__', []],
  ['toString', 'not a function'],
  ['hasOwnProperty', 1],
  ['valueOf', { polluted: 'yes' }],
];

/** Code points from several classes: ASCII, controls, CJK, combining marks, emoji, lone surrogates, BOM. */
export function randomString(rng: Rng, maxLen: number): string {
  const len = rng.int(maxLen + 1);
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = rng.weighted<() => number>([
      [6, () => rng.range(0x20, 0x7e)],
      [1, () => rng.range(0, 0x1f)],
      [2, () => rng.range(0x4e00, 0x9fff)],
      [1, () => rng.range(0x300, 0x36f)],
      [1, () => rng.range(0x1f300, 0x1faff)],
      [1, () => rng.range(0xd800, 0xdfff)],
      [1, () => rng.pick([0xfeff, 0xfffd, 0x2028, 0x202e, 0x7f, 0x5c, 0x22])],
    ])();
    s += String.fromCodePoint(c);
  }
  return s;
}

function randomNumber(rng: Rng): number {
  return rng.pick<() => number>([
    () => rng.int(10),
    () => -rng.int(1000),
    () => rng.float() * 1e6,
    () => Number.MAX_SAFE_INTEGER + rng.int(1000),
    () => 1e308,
    () => -0,
    () => 2 ** 31,
    () => 4294967297,
    () => 0.5,
  ])();
}

/** A random JSON value, nesting at most `depth` deep. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const leaf = rng.pick<() => unknown>([
    () => null, () => rng.chance(0.5), () => randomNumber(rng), () => randomString(rng, 24), () => rng.pick(TYPES),
  ]);
  if (depth <= 0 || rng.chance(0.4)) return leaf();
  if (rng.chance(0.4)) return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = rng.int(5); i > 0; i--) o[rng.chance(0.3) ? rng.pick(['type', 'code', 'sdp', 'version', 't', 'kind']) : randomString(rng, 8)] = randomJson(rng, depth - 1);
  return o;
}

export interface MessageContext {
  /** The code `join` messages carry (a wrong one for sockets that must stay outside every session). */
  readonly joinCode: () => string;
  /** A real publishing offer from a werift peer. */
  readonly offer: string;
}

/** A valid client → relay message of a random type, as key/value pairs. */
export function validEntries(rng: Rng, ctx: MessageContext, type = rng.pick(TYPES)): [string, unknown][] {
  switch (type) {
    case 'join':
      return [['type', 'join'], ['code', ctx.joinCode()], ['name', '测试老师'], ['venue', '一小'], ...(rng.chance(0.3) ? [['hostKey', 'h'.repeat(32)] as [string, unknown]] : [])];
    case 'publish':
      return [['type', 'publish'], ['sdp', ctx.offer]];
    case 'subscribeAnswer':
      return [['type', 'subscribeAnswer'], ['sdp', ctx.offer], ['version', rng.int(5)]];
    case 'mute':
      return [['type', 'mute'], ['kind', rng.pick(['audio', 'video'])], ['muted', rng.chance(0.5)]];
    case 'ping':
      return rng.chance(0.5) ? [['type', 'ping'], ['t', rng.int(1e9)]] : [['type', 'ping']];
    case 'raiseHand':
      return [['type', 'raiseHand'], ['raised', rng.chance(0.5)]];
    case 'chat':
      return [['type', 'chat'], ['text', rng.chance(0.1) ? 'x'.repeat(rng.range(490, 520)) : randomString(rng, 40)]];
    case 'pushVenue':
      return [['type', 'pushVenue'], ['venue', rng.pick(['一小', '教育中心', '三小'])]];
    case 'grantSeat':
    case 'revokeSeat':
    case 'removeParticipant':
      return [['type', type], ['peerId', randomString(rng, 36) || 'p']];
    case 'muteParticipant':
      return [['type', type], ['peerId', randomString(rng, 36) || 'p'], ['kind', rng.pick(['audio', 'video'])]];
    case 'docOpen': case 'docUpdate': case 'docAwareness': case 'docClose': case 'docHistory': case 'docRevision':
      return docEntries(rng, type);
    default:
      return [['type', type]];
  }
}

/** One to three mutations: wrong types, huge strings, unknown types, missing fields, pollution keys, duplicates. */
export function mutate(rng: Rng, entries: [string, unknown][]): { entries: [string, unknown][]; what: string } {
  const out = entries.map(([k, v]) => [k, v] as [string, unknown]);
  const what: string[] = [];
  for (let n = rng.range(1, 3); n > 0; n--) {
    const i = rng.int(out.length);
    const op = rng.pick(['delete', 'wrongType', 'huge', 'unknownType', 'pollute', 'duplicate', 'extra', 'nullify'] as const);
    what.push(op);
    if (op === 'delete' && out.length > 0) out.splice(i, 1);
    else if (op === 'wrongType' && out[i]) out[i]![1] = rng.pick<unknown>([42, -1, 1.5, '42', true, null, [], {}, [out[i]![1]], { value: out[i]![1] }]);
    else if (op === 'huge' && out[i]) out[i]![1] = rng.pick(['x', '9', '好', '\u0000']).repeat(rng.range(1000, 9000));
    else if (op === 'unknownType') {
      const type = out.find(([k]) => k === 'type');
      if (type) type[1] = rng.pick(UNKNOWN_TYPES);
      else out.unshift(['type', rng.pick(UNKNOWN_TYPES)]);
    }
    else if (op === 'pollute') out.splice(rng.int(out.length + 1), 0, [...rng.pick(POLLUTION)] as [string, unknown]);
    else if (op === 'duplicate') out.push(['type', rng.pick([...TYPES, ...UNKNOWN_TYPES])]);
    else if (op === 'extra') out.push([randomString(rng, 12), randomJson(rng, 2)]);
    else if (op === 'nullify' && out[i]) out[i]![1] = null;
  }
  return { entries: out, what: `mutated (${what.join(', ')})` };
}

/** Damage valid JSON text: truncate, flip, insert, wrap, append garbage. */
export function corruptText(rng: Rng, text: string): string {
  const at = rng.int(text.length + 1);
  return rng.pick<() => string>([
    () => text.slice(0, at),
    () => text.slice(0, at) + String.fromCharCode(rng.int(128)) + text.slice(at + 1),
    () => text.slice(0, at) + rng.pick(['"', '{', '}', ',', '\\', '\u0000', ':']) + text.slice(at),
    () => `[${text}]`,
    () => text + rng.pick(['}', ' x', '\n{}', ',']),
    () => text.replace(/"/g, "'"),
    () => `${text}${text}`,
  ])();
}

/** Text of exactly `bytes` UTF-8 bytes: a ping padded with an unknown field. */
export function paddedPing(bytes: number): string {
  const head = '{"type":"ping","t":7,"pad":"';
  return `${head}${'p'.repeat(bytes - head.length - 2)}"}`;
}

/** Bytes that are not valid UTF-8 (a lone continuation byte, an overlong NUL, a truncated sequence). */
export function invalidUtf8(rng: Rng): Buffer {
  const bad = rng.pick([Buffer.from([0x80]), Buffer.from([0xc0, 0x80]), Buffer.from([0xe4, 0xb8]), Buffer.from([0xff, 0xfe])]);
  return Buffer.concat([Buffer.from('{"type":"ping","t":'), bad, Buffer.from('}')]);
}

/** A frame for a socket that has not joined: mostly garbage, some valid messages, rarely one that ends it. */
export function unjoinedFrame(rng: Rng, ctx: MessageContext): Frame {
  const kind = rng.weighted([
    [16, 'randomText'], [16, 'randomJson'], [30, 'mutated'], [10, 'valid'], [8, 'corrupted'], [5, 'pollution'],
    [3, 'deep'], [4, 'binary'], [1, 'invalidUtf8'], [1, 'oversize'], [1, 'exactly64k'],
  ] as const);
  switch (kind) {
    case 'randomText':
      return { kind: 'text', text: randomString(rng, 300), what: 'random text' };
    case 'randomJson':
      return { kind: 'text', text: JSON.stringify(randomJson(rng, 4)) ?? 'null', what: 'random JSON' };
    case 'mutated': {
      const m = mutate(rng, validEntries(rng, ctx));
      return { kind: 'text', text: objectText(m.entries), what: m.what };
    }
    case 'valid':
      return { kind: 'text', text: objectText(validEntries(rng, ctx)), what: 'valid message' };
    case 'corrupted':
      return { kind: 'text', text: corruptText(rng, objectText(validEntries(rng, ctx))), what: 'corrupted JSON' };
    case 'pollution': {
      const e = validEntries(rng, ctx);
      const keys = [rng.pick(POLLUTION), rng.pick(POLLUTION)] as [string, unknown][];
      return { kind: 'text', text: objectText(rng.chance(0.5) ? [...keys, ...e] : [...e, ...keys]), what: 'prototype-pollution keys' };
    }
    case 'deep': {
      const n = rng.range(1000, 20_000);
      const m = Math.floor(n / 8);
      const text = rng.chance(0.5) ? `${'['.repeat(n)}${']'.repeat(n)}` : `{"type":"ping","t":${'{"a":'.repeat(m)}1${'}'.repeat(m)}}`;
      return { kind: 'text', text, what: `nested ${n} deep` };
    }
    case 'binary':
      return { kind: 'binary', data: rng.chance(0.5) ? rng.bytes(rng.int(2000)) : Buffer.from('{"type":"ping"}'), what: 'binary frame' };
    case 'invalidUtf8':
      return { kind: 'rawText', data: invalidUtf8(rng), what: 'invalid UTF-8' };
    case 'oversize':
      return { kind: 'text', text: paddedPing(rng.pick([65_537, 65_600, 200_000, 1_048_576])), what: 'over 64 KiB' };
    case 'exactly64k':
      return { kind: 'text', text: paddedPing(65_536), what: 'exactly 64 KiB' };
  }
}

/** SDP transformations that keep some structure but make no sense. */
const ABSURD: readonly (readonly [string, (sdp: string, rng: Rng) => string])[] = [
  ['unknown media', (s) => s.replace(/m=audio/, 'm=foo')],
  ['port 99999', (s) => s.replace(/m=audio 9/, 'm=audio 99999')],
  ['negative port', (s) => s.replace(/m=video 9/, 'm=video -1')],
  ['payload type 999', (s) => s.replace(/\b96\b/g, '999')],
  ['no formats', (s) => s.replace(/(m=audio 9 UDP\/TLS\/RTP\/SAVPF) 96/, '$1')],
  ['300 formats', (s) => s.replace(/(m=video 9 UDP\/TLS\/RTP\/SAVPF) 97/, `$1 ${Array.from({ length: 300 }, (_, i) => i).join(' ')}`)],
  ['many m-lines', (s, rng) => s + s.slice(s.indexOf('m=video')).repeat(rng.range(5, 40))],
  ['data channel only', (s) => s.replace('m=audio 9 UDP/TLS/RTP/SAVPF 96', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel')],
  ['recvonly', (s) => s.replace(/sendonly/g, 'recvonly')],
  ['inactive', (s) => s.replace(/sendonly/g, 'inactive')],
  ['bad fingerprint', (s) => s.replace(/fingerprint:sha-256 [^\r\n]+/g, 'fingerprint:md5 ZZ')],
  ['bad candidates', (s) => s.replace(/127\.0\.0\.1 \d+/g, '999.1.2.3 70000')],
  ['mDNS candidates', (s) => s.replace(/127\.0\.0\.1/g, 'fuzz-peer.local')],
  ['huge SSRC', (s) => s.replace(/a=ssrc:\d+/g, 'a=ssrc:99999999999999')],
  ['LF line endings', (s) => s.replace(/\r\n/g, '\n')],
  ['NUL in mid', (s) => s.replace(/a=mid:0/, 'a=mid:\u0000')],
  ['duplicate mid', (s) => s.replace(/a=mid:1/, 'a=mid:0')],
  ['H.264 only', (s) => s.replace('VP8/90000', 'H264/90000')],
  ['huge session name', (s) => s.replace('s=-', `s=${'x'.repeat(50_000)}`)],
  ['no ICE credentials', (s) => s.replace(/a=ice-(ufrag|pwd):[^\r\n]+\r\n/g, '')],
  ['setup active', (s) => s.replace(/actpass/g, 'active')],
  ['plain RTP profile', (s) => s.replace(/UDP\/TLS\/RTP\/SAVPF/g, 'RTP/AVP')],
  ['bundle of unknown mids', (s) => s.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 7 8 9 0 0')],
  ['200 rids', (s) => s.replace('a=mid:1', `a=mid:1\r\n${Array.from({ length: 200 }, (_, i) => `a=rid:r${i} send`).join('\r\n')}\r\na=simulcast:send r0;r1`)],
  ['odd extmaps', (s) => s.replace('a=mid:1', 'a=mid:1\r\na=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:99999 foo\r\na=extmap:-3')],
  ['huge fmtp', (s) => s.replace('a=fmtp:96 ', `a=fmtp:96 ${'x=1;'.repeat(5000)}`)],
  ['IPv6 garbage', (s) => s.replace(/c=IN IP4 0\.0\.0\.0/g, 'c=IN IP6 :::::')],
];

/** A publishing offer (or subscribe answer) that is not a usable SDP, built from the real `offer`. */
export function garbageSdp(rng: Rng, offer: string): { sdp: string; what: string } {
  const kind = rng.weighted([[2, 'random'], [3, 'truncated'], [5, 'absurd'], [2, 'lines']] as const);
  if (kind === 'random') return { sdp: randomString(rng, 2000).padEnd(10, '?'), what: 'random text as SDP' };
  if (kind === 'truncated') return { sdp: offer.slice(0, rng.range(10, offer.length - 1)), what: 'truncated SDP' };
  if (kind === 'absurd') {
    const [what, f] = rng.pick(ABSURD);
    return { sdp: f(offer, rng), what: `SDP with ${what}` };
  }
  const lines = offer.split('\r\n');
  for (let n = rng.range(1, 6); n > 0; n--) {
    const i = rng.int(lines.length);
    const op = rng.int(3);
    if (op === 0) lines.splice(i, 1);
    else if (op === 1) lines.splice(i, 0, lines[rng.int(lines.length)] ?? '');
    else [lines[i], lines[0]] = [lines[0] ?? '', lines[i] ?? ''];
  }
  return { sdp: lines.join('\r\n'), what: 'SDP with shuffled, dropped or repeated lines' };
}
