// The join page's light check of relay messages agrees with the zod contract in src/signaling/protocol.ts,
// and its reading of `GET /api/join/<code>` answers.
import { describe, expect, it } from 'vitest';
import { serverMessage } from '../../src/signaling/protocol.js';
import { lookupResult } from '../../src/web/lookup.js';
import { parseServerMessage } from '../../src/web/server-messages.js';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n';
const participant = { peerId: 'p1', name: '李老师', venue: '西河小学', role: 'speaker', seat: true, publishing: true, muted: { audio: true, video: false }, hand: false };
const activity = { pendingVenue: null, rundown: { steps: [], current: null }, selfSeat: true, recording: false };
const rundown = { steps: [{ venue: '西河小学', label: '说课' }, { venue: '东山小学', label: '评课' }], current: 1 };
const chat = { from: '王老师', venue: '西河小学', text: '<b>好</b>', at: '2025-03-01T08:05:00.000Z', t: 12.5, peerId: 'p0' };
const voiceNotice = { id: '0123456789abcdef', by: '张老师', venue: '实验小学', at: '2025-03-01T08:05:00.000Z', seconds: 12.34, bytes: 40_000, mime: 'audio/ogg' };
const status = {
  type: 'status',
  at: '2025-03-01T08:05:00.000Z',
  peers: [{ peerId: 'p1', inKbps: 400, outKbps: 800.5, loss: 0.01, rttMs: null, level: null }],
  relay: { cpuPercent: 12, rssMb: 80, eventLoopLagMs: 1.2 },
};

const valid: unknown[] = [
  { type: 'joined', peerId: 'p1', role: 'viewer', session: { id: 's', title: '语文教研', kind: 'lesson', seats: 4, venues: ['西河小学'] } },
  { type: 'state', participants: [participant], mainVenue: '西河小学', mainPeerId: 'p0', seats: { total: 4, taken: 1 }, ...activity },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 0, taken: 0 }, ...activity },
  {
    type: 'state',
    participants: [{ ...participant, role: 'viewer', seat: false, hand: true }],
    mainVenue: '西河小学',
    mainPeerId: 'p0',
    pendingVenue: '东山小学',
    seats: { total: 4, taken: 0 },
    rundown,
    selfSeat: false,
    recording: true,
  },
  { type: 'seat', granted: true },
  { type: 'publishAnswer', sdp: SDP },
  { type: 'subscribeOffer', sdp: SDP, version: 3, streams: [{ mid: '0', kind: 'audio', slot: 'main', peerId: 'p0' }, { mid: '1', kind: 'video', slot: 'seat' }] },
  { type: 'pong' },
  { type: 'pong', t: 12.5 },
  { type: 'error', code: 'SEAT_FULL', message: '席位已满', ref: 'takeSeat' },
  { type: 'error', code: 'INTERNAL', message: 'x' },
  { type: 'ended', reason: 'host' },
  { type: 'ended', reason: 'removed' },
  { type: 'error', code: 'CHAT_RATE_LIMITED', message: 'slow down', ref: 'chat', params: { seconds: 3, what: 'chat' } },
  { type: 'ack', ref: 'nextStep' },
  { type: 'chat', message: chat },
  { type: 'chatHistory', messages: [chat, { ...chat, text: 'second', t: 20 }] },
  { type: 'chatHistory', messages: [] },
  { type: 'mutedByHost', kind: 'audio' },
  { type: 'mutedByHost', kind: 'video' },
  status,
  { type: 'joined', peerId: 'p1', role: 'host', session: { id: 's', title: '语文教研', kind: 'lesson', seats: 4, venues: [] }, memberToken: 'dG9rZW4tdG9rZW4tdG9rZW4' },
  { type: 'notices', notices: [voiceNotice, { ...voiceNotice, id: 'fedcba9876543210', mime: 'audio/webm' }] },
  { type: 'notices', notices: [] },
  { type: 'notice', notice: voiceNotice },
];

const invalid: unknown[] = [
  null,
  [],
  'joined',
  { type: 'hello' },
  { type: 'joined', peerId: 'p1', role: 'admin', session: { id: 's', title: 't', kind: 'k', seats: 1, venues: [] } },
  { type: 'joined', peerId: 'p1', role: 'viewer', session: { id: 's', title: 't', kind: 'k', seats: 1.5, venues: [] } },
  { type: 'state', participants: [{ ...participant, muted: { audio: 'yes', video: false } }], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 } },
  { type: 'state', participants: [], mainVenue: null, seats: { total: 1, taken: 0 }, ...activity },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 } },
  { type: 'state', participants: [{ ...participant, hand: undefined }], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 }, ...activity },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 }, ...activity, rundown: { steps: [], current: 0.5 } },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 }, ...activity, rundown: { steps: [{ venue: 'x' }], current: null } },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 }, ...activity, selfSeat: 'yes' },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 }, ...activity, pendingVenue: 3 },
  { type: 'seat', granted: 'true' },
  { type: 'publishAnswer', sdp: 'short' },
  { type: 'subscribeOffer', sdp: SDP, version: 1, streams: [{ mid: '0', kind: 'data', slot: 'main' }] },
  { type: 'subscribeOffer', sdp: SDP, version: 1.5, streams: [] },
  { type: 'pong', t: 'now' },
  { type: 'error', code: 'X' },
  { type: 'ended' },
  { type: 'error', code: 'X', message: 'x', params: { a: true } },
  { type: 'ack' },
  { type: 'chat', message: { ...chat, t: '12' } },
  { type: 'chat', message: { ...chat, peerId: undefined } },
  { type: 'chatHistory', messages: [chat, null] },
  { type: 'mutedByHost', kind: 'screen' },
  { ...status, peers: [{ peerId: 'p1', inKbps: 1, outKbps: 1, loss: 'none', rttMs: null, level: null }] },
  { ...status, relay: { cpuPercent: 1, rssMb: 1 } },
  { type: 'joined', peerId: 'p1', role: 'host', session: { id: 's', title: 't', kind: 'k', seats: 1, venues: [] }, memberToken: 7 },
  { type: 'notices', notices: [{ ...voiceNotice, seconds: '12' }] },
  { type: 'notice', notice: { ...voiceNotice, bytes: 1.5 } },
  { type: 'notice' },
];

describe('relay messages as the page reads them', () => {
  it('accepts every message the contract allows', () => {
    for (const m of valid) {
      expect(serverMessage.safeParse(m).success, JSON.stringify(m)).toBe(true);
      const r = parseServerMessage(JSON.stringify(m));
      expect(r, JSON.stringify(m)).toEqual({ ok: true, message: m });
    }
  });

  it('rejects what the contract rejects, without throwing', () => {
    for (const m of invalid) {
      expect(serverMessage.safeParse(m).success, JSON.stringify(m)).toBe(false);
      expect(parseServerMessage(JSON.stringify(m)).ok, JSON.stringify(m)).toBe(false);
    }
  });

  it('rejects text that is not JSON', () => {
    const r = parseServerMessage('{"type":');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not JSON/);
  });
});

describe('invite code look-up answers', () => {
  it('shows the title, seats and venues of a known code', () => {
    expect(lookupResult(200, { code: '482193775', title: '语文教研', kind: 'lesson', seats: 4, venues: ['西河小学', 7] }, null)).toEqual({
      kind: 'found',
      title: '语文教研',
      seats: 4,
      venues: ['西河小学'],
    });
  });

  it('explains unknown (404), ended (410) and rate-limited (429) codes', () => {
    expect(lookupResult(404, { error: { code: 'CODE_UNKNOWN', message: '' } }, null)).toEqual({ kind: 'unknown' });
    expect(lookupResult(410, null, null)).toEqual({ kind: 'ended' });
    expect(lookupResult(429, null, '17')).toEqual({ kind: 'rateLimited', seconds: 17 });
    expect(lookupResult(429, null, 'soon')).toEqual({ kind: 'rateLimited', seconds: 60 });
  });

  it('treats anything else as a failed look-up', () => {
    expect(lookupResult(500, null, null)).toEqual({ kind: 'failed' });
    expect(lookupResult(200, { title: 5 }, null)).toEqual({ kind: 'failed' });
    expect(lookupResult(200, null, null)).toEqual({ kind: 'failed' });
  });
});
