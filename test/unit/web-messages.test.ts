// The join page's light check of relay messages agrees with the zod contract in src/signaling/protocol.ts,
// and its reading of `GET /api/join/<code>` answers.
import { describe, expect, it } from 'vitest';
import { serverMessage } from '../../src/signaling/protocol.js';
import { lookupResult } from '../../src/web/lookup.js';
import { parseServerMessage } from '../../src/web/server-messages.js';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n';
const participant = { peerId: 'p1', name: '李老师', venue: '西河小学', role: 'speaker', seat: true, publishing: true, muted: { audio: true, video: false } };

const valid: unknown[] = [
  { type: 'joined', peerId: 'p1', role: 'viewer', session: { id: 's', title: '语文教研', kind: 'lesson', seats: 4, venues: ['西河小学'] } },
  { type: 'state', participants: [participant], mainVenue: '西河小学', mainPeerId: 'p0', seats: { total: 4, taken: 1 } },
  { type: 'state', participants: [], mainVenue: null, mainPeerId: null, seats: { total: 0, taken: 0 } },
  { type: 'seat', granted: true },
  { type: 'publishAnswer', sdp: SDP },
  { type: 'subscribeOffer', sdp: SDP, version: 3, streams: [{ mid: '0', kind: 'audio', slot: 'main', peerId: 'p0' }, { mid: '1', kind: 'video', slot: 'seat' }] },
  { type: 'pong' },
  { type: 'pong', t: 12.5 },
  { type: 'error', code: 'SEAT_FULL', message: '席位已满', ref: 'takeSeat' },
  { type: 'error', code: 'INTERNAL', message: 'x' },
  { type: 'ended', reason: 'host' },
];

const invalid: unknown[] = [
  null,
  [],
  'joined',
  { type: 'hello' },
  { type: 'joined', peerId: 'p1', role: 'admin', session: { id: 's', title: 't', kind: 'k', seats: 1, venues: [] } },
  { type: 'joined', peerId: 'p1', role: 'viewer', session: { id: 's', title: 't', kind: 'k', seats: 1.5, venues: [] } },
  { type: 'state', participants: [{ ...participant, muted: { audio: 'yes', video: false } }], mainVenue: null, mainPeerId: null, seats: { total: 1, taken: 0 } },
  { type: 'state', participants: [], mainVenue: null, seats: { total: 1, taken: 0 } },
  { type: 'seat', granted: 'true' },
  { type: 'publishAnswer', sdp: 'short' },
  { type: 'subscribeOffer', sdp: SDP, version: 1, streams: [{ mid: '0', kind: 'data', slot: 'main' }] },
  { type: 'subscribeOffer', sdp: SDP, version: 1.5, streams: [] },
  { type: 'pong', t: 'now' },
  { type: 'error', code: 'X' },
  { type: 'ended' },
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
