// Where the join page puts things: received tracks by m-line into the main slot and seat tiles, the
// participants list by venue, and the codec order it asks the browser for.
import { describe, expect, it } from 'vitest';
import type { Participant, StreamSlot } from '../../src/signaling/protocol.js';
import { orderCodecs } from '../../src/web/codecs.js';
import { groupByVenue } from '../../src/web/people.js';
import { layoutStreams, pairKey } from '../../src/web/slots.js';

const track = (id: string) => ({ id });
const tracks = (...mids: string[]) => {
  const byMid = new Map(mids.map((m) => [m, track(`t${m}`)]));
  return (mid: string) => byMid.get(mid);
};

describe('mapping received tracks to slots', () => {
  const streams: StreamSlot[] = [
    { mid: '0', kind: 'audio', slot: 'main', peerId: 'host' },
    { mid: '1', kind: 'video', slot: 'main', peerId: 'host' },
    { mid: '2', kind: 'audio', slot: 'seat', peerId: 'ana' },
    { mid: '3', kind: 'video', slot: 'seat', peerId: 'ana' },
    { mid: '4', kind: 'audio', slot: 'seat', peerId: 'bo' },
    { mid: '5', kind: 'video', slot: 'seat', peerId: 'bo' },
  ];

  it('puts the main m-lines in the big picture and each seat in its own tile', () => {
    const l = layoutStreams(streams, tracks('0', '1', '2', '3', '4', '5'));
    expect(l.main).toEqual({ audio: { id: 't0' }, video: { id: 't1' } });
    expect(l.mainPeerId).toBe('host');
    expect([...l.seats.keys()]).toEqual(['ana', 'bo']);
    expect(l.seats.get('bo')).toEqual({ audio: { id: 't4' }, video: { id: 't5' } });
  });

  it("leaves out one's own seat and seats nobody publishes on", () => {
    const withEmpty: StreamSlot[] = [...streams, { mid: '6', kind: 'video', slot: 'seat' }];
    const l = layoutStreams(withEmpty, tracks('0', '1', '2', '3', '4', '5', '6'), 'ana');
    expect([...l.seats.keys()]).toEqual(['bo']);
  });

  it('keeps a seat whose tracks have not arrived yet, with no tracks', () => {
    const l = layoutStreams(streams, tracks('0', '1'));
    expect(l.seats.get('ana')).toEqual({});
  });

  it('follows a renegotiation that moves another peer behind the same m-lines', () => {
    const moved = streams.map((s) => (s.slot === 'main' ? { ...s, peerId: 'ana' } : s));
    const l = layoutStreams(moved, tracks('0', '1', '2', '3'));
    expect(l.mainPeerId).toBe('ana');
    expect(pairKey(l.main)).toBe('t1|t0');
  });

  it('has an empty main slot while nobody broadcasts', () => {
    const l = layoutStreams([{ mid: '0', kind: 'audio', slot: 'main' }, { mid: '1', kind: 'video', slot: 'main' }], tracks());
    expect(l.main).toEqual({});
    expect(l.mainPeerId).toBeUndefined();
    expect(pairKey(l.main)).toBe('-|-');
  });

  it('keeps the first m-line when the relay lists two of one kind for a slot', () => {
    const twice: StreamSlot[] = [
      { mid: 'a', kind: 'video', slot: 'main' },
      { mid: 'b', kind: 'video', slot: 'main' },
    ];
    expect(layoutStreams(twice, tracks('a', 'b')).main.video).toEqual({ id: 'ta' });
  });
});

describe('participants grouped by venue', () => {
  const p = (peerId: string, venue: string, role: Participant['role'], seat = false): Participant => ({
    peerId,
    name: peerId,
    venue,
    role,
    seat,
    publishing: false,
    muted: { audio: false, video: false },
    hand: false,
  });

  it('lists the main venue first, then the others by name, host and seat holders before viewers', () => {
    const groups = groupByVenue(
      [p('zoe', '东山小学', 'viewer'), p('li', '西河小学', 'viewer'), p('wang', '西河小学', 'host'), p('amy', '东山小学', 'speaker', true), p('bob', '东山小学', 'viewer')],
      '西河小学',
    );
    expect(groups.map((g) => g.venue)).toEqual(['西河小学', '东山小学']);
    expect(groups[0]?.participants.map((x) => x.peerId)).toEqual(['wang', 'li']);
    expect(groups[1]?.participants.map((x) => x.peerId)).toEqual(['amy', 'bob', 'zoe']);
  });

  it('is empty for nobody', () => {
    expect(groupByVenue([], null)).toEqual([]);
  });
});

describe('codec preferences', () => {
  const caps = [
    { mimeType: 'video/VP9' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f' },
    { mimeType: 'video/rtx' },
    { mimeType: 'video/VP8' },
    { mimeType: 'video/ulpfec' },
  ];

  it('puts VP8 first and keeps only the H.264 variant the relay takes', () => {
    expect(orderCodecs(caps, 'video/VP8')?.map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim())).toEqual([
      'video/VP8',
      'video/VP9',
      'video/H264 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      'video/rtx',
      'video/ulpfec',
    ]);
  });

  it('matches the MIME type regardless of case, and leaves the order alone when the codec is missing', () => {
    expect(orderCodecs([{ mimeType: 'audio/G722' }, { mimeType: 'audio/opus' }], 'audio/Opus')?.[0]?.mimeType).toBe('audio/opus');
    expect(orderCodecs([{ mimeType: 'video/VP9' }], 'video/VP8')).toBeNull();
  });
});
