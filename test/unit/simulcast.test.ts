// Simulcast and audio redundancy helpers: layer order and names, which layer a level gets (skipping layers the
// publisher stopped), the answer's start bitrate for simulcast, and RED packets that werift's own receiver unpacks.
import { describe, expect, it } from 'vitest';
import { RedHandler, Red, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { relayPeerConfig, relaySubscriberConfig } from '../../src/relay/media-config.js';
import { RedEncoder } from '../../src/relay/red-encoder.js';
import { simulcastStartBitrate } from '../../src/relay/sdp-compat.js';
import { layerNames, orderRids, pickLayer } from '../../src/relay/simulcast.js';
import { publishesSimulcast, SIMULCAST } from '../../src/web/simulcast.js';

describe('simulcast layers', () => {
  it('orders the join page’s rids by quality and other rids best first as offered', () => {
    expect(orderRids(['h', 'm', 'l'])).toEqual(['l', 'm', 'h']);
    expect(orderRids(['l', 'h'])).toEqual(['l', 'h']);
    expect(orderRids(['f', 'q', 'x'])).toEqual(['x', 'q', 'f']);
  });

  it('names layers from the top: one layer is h, two are l and h', () => {
    expect(layerNames(1)).toEqual(['h']);
    expect(layerNames(2)).toEqual(['l', 'h']);
    expect(layerNames(3)).toEqual(['l', 'm', 'h']);
  });

  it('gives each level the best sending layer at or below it, else the lowest sending one', () => {
    const now = 10_000;
    const [l, m, h] = [{ lastPacketAt: now }, { lastPacketAt: now }, { lastPacketAt: now }];
    expect(pickLayer([l, m, h], 3, now)?.layer).toBe(h);
    expect(pickLayer([l, m, h], 2, now)).toEqual({ layer: m, name: 'm' });
    expect(pickLayer([l, m, h], 1, now)?.layer).toBe(l);
    expect(pickLayer([l, m, h], 0, now)).toBeUndefined();
    // The publisher stopped its top layer (its uplink): the middle one instead.
    expect(pickLayer([l, m, { lastPacketAt: now - 5000 }], 3, now)?.layer).toBe(m);
    // The low layer stopped: a low viewer gets the lowest that is sending.
    expect(pickLayer([{ lastPacketAt: 0 }, m, h], 1, now)?.layer).toBe(m);
    // A single-layer publication goes to every level but audio only.
    const only = { lastPacketAt: now };
    expect(pickLayer([only], 1, now)).toEqual({ layer: only, name: 'h' });
    expect(pickLayer([only], 0, now)).toBeUndefined();
    // Nothing sent yet: chosen among all.
    expect(pickLayer([{ lastPacketAt: 0 }, { lastPacketAt: 0 }], 3, now)?.name).toBe('h');
  });
});

describe('what the join page publishes', () => {
  it('simulcasts from Chromium (headless too) and not from Firefox', () => {
    expect(publishesSimulcast('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36')).toBe(true);
    expect(publishesSimulcast('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/138.0.0.0 Safari/537.36')).toBe(true);
    expect(publishesSimulcast('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe(false);
  });

  it('lists the full picture first (kept alone if the answer refuses simulcast), then half and quarter size', () => {
    expect(SIMULCAST.map((e) => [e.rid, e.scaleResolutionDownBy ?? 1])).toEqual([['h', 1], ['m', 2], ['l', 4]]);
    expect(orderRids(SIMULCAST.map((e) => e.rid))).toEqual(['l', 'm', 'h']);
    expect(SIMULCAST.find((e) => e.rid === 'l')!.maxBitrate).toBeLessThanOrEqual(100_000);
  });
});

describe('the publishing answer for a simulcast offer', () => {
  const answer = (simulcast: boolean) =>
    [
      'v=0', 's=-', 't=0 0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 102', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:102 H264/90000', 'a=fmtp:102 packetization-mode=1;profile-level-id=42e01f',
      ...(simulcast ? ['a=rid:h recv', 'a=rid:m recv', 'a=rid:l recv', 'a=simulcast:recv h;m;l'] : []),
      '',
    ].join('\r\n');

  it('makes Chromium start at 2 Mbit/s so it sends every layer, and leaves other answers alone', () => {
    const out = simulcastStartBitrate(answer(true)).split('\r\n');
    expect(out).toContain('a=fmtp:96 x-google-start-bitrate=2000');
    expect(out).toContain('a=fmtp:102 packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=2000');
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1');
    expect(out.indexOf('a=fmtp:96 x-google-start-bitrate=2000')).toBe(out.indexOf('a=rtpmap:96 VP8/90000') + 1);
    expect(simulcastStartBitrate(answer(false))).toBe(answer(false));
    expect(simulcastStartBitrate(simulcastStartBitrate(answer(true)))).toBe(simulcastStartBitrate(answer(true)));
  });
});

describe('audio redundancy (RED)', () => {
  const OPUS = 96;
  const RED = 63;

  it('repeats the previous packet, and werift’s receiver recovers a lost packet from the next one', () => {
    const enc = new RedEncoder();
    const payloads = [0, 1, 2, 3].map((i) => Buffer.alloc(40 + i, 0x10 + i));
    const sent = payloads.map((p, i) => new RtpPacket(new RtpHeader({ sequenceNumber: 100 + i, timestamp: 5000 + 960 * i, payloadType: RED, ssrc: 7 }), enc.encode(100 + i, 5000 + 960 * i, p, OPUS)));
    // The first carries itself only; the others their predecessor too.
    expect(Red.deSerialize(sent[0]!.payload).blocks).toHaveLength(1);
    const second = Red.deSerialize(sent[1]!.payload);
    expect(second.blocks.map((b) => [b.blockPT, b.timestampOffset, b.block.length])).toEqual([[OPUS, 960, 40], [OPUS, undefined, 41]]);
    // Packet 102 is lost on the way; werift's receiver-side handler (what a werift viewer runs) gets it back from 103.
    const handler = new RedHandler();
    const out: RtpPacket[] = [];
    for (const p of [sent[0]!, sent[1]!, sent[3]!]) out.push(...handler.push(Red.deSerialize(p.payload), p));
    expect(out.map((p) => p.header.sequenceNumber)).toEqual([100, 101, 102, 103]);
    expect(out.map((p) => p.header.timestamp)).toEqual([5000, 5960, 6920, 7880]);
    expect(out.every((p) => p.header.payloadType === OPUS)).toBe(true);
    expect(out.map((p) => p.payload)).toEqual(payloads);
  });

  it('is offered to every viewer, beside Opus with in-band FEC, on the payload types werift would give without it', async () => {
    const publishing = relayPeerConfig({ announceAddress: '127.0.0.1' });
    const pc = new RTCPeerConnection(relaySubscriberConfig(publishing));
    pc.addTransceiver('audio', { direction: 'sendonly' });
    pc.addTransceiver('video', { direction: 'sendonly' });
    const sdp = (await pc.createOffer()).sdp;
    await pc.close();
    expect(sdp).toMatch(/^m=audio \d+ [A-Z/]+ 96 63\r?$/m);
    expect(sdp).toContain('a=fmtp:96 minptime=10;useinbandfec=1');
    expect(sdp).toContain('a=rtpmap:63 red/48000/2');
    expect(sdp).toContain('a=fmtp:63 96/96');
    expect(sdp).toMatch(/^m=video \d+ [A-Z/]+ 97 98\r?$/m);
    expect(relaySubscriberConfig(publishing)).toBe(relaySubscriberConfig(publishing)); // one per relay
  });

  it('carries no redundancy across a gap, a source change or a block RED cannot describe', () => {
    const enc = new RedEncoder();
    enc.encode(1, 960, Buffer.alloc(20), OPUS);
    expect(Red.deSerialize(enc.encode(3, 2880, Buffer.alloc(20), OPUS)).blocks).toHaveLength(1); // 2 is missing
    enc.reset();
    expect(Red.deSerialize(enc.encode(4, 3840, Buffer.alloc(20), OPUS)).blocks).toHaveLength(1);
    enc.encode(5, 4800, Buffer.alloc(1100), OPUS);
    expect(Red.deSerialize(enc.encode(6, 5760, Buffer.alloc(20), OPUS)).blocks).toHaveLength(1); // 1100 bytes > 1023
  });
});
