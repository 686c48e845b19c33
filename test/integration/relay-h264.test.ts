// H.264 where both sides support it: a publisher that only has H.264 reaches a viewer that accepts it — starting
// on an IDR, with the viewer's own payload type — while a VP8-only viewer is sent no video it could not decode.
import { describe, expect, it } from 'vitest';
import { MediaStreamTrack } from 'werift';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { RtpSource } from '../../src/client/rtp-source.js';
import { isH264KeyframeStart } from '../../src/relay/h264.js';
import { createSession, relayFixture, testClip, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, extra: Partial<Parameters<typeof ParticipantClient.connect>[0]> = {}) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...extra });
  cleanups.push(() => c.close());
  return c;
}

describe('H.264 through the relay', () => {
  it('forwards an H.264 venue to viewers that accept H.264 and nothing to a VP8-only viewer', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '硬件编码的教室', kind: 'prep' });
    const host = await join(r, s.code, '张老师', '教育中心', { hostKey: s.hostKey, publishVideo: 'h264' });
    const both = await join(r, s.code, '王老师', '一小');
    const vp8Only = await join(r, s.code, '赵老师', '五小', { receiveVideo: 'vp8' });
    const seen = { packets: 0, first: undefined as Buffer | undefined, payloadTypes: new Set<number>(), nalTypes: new Set<number>() };
    both.eachTrack((t) => {
      if (t.kind !== 'video' || t.slot !== 'main') return;
      t.track.onReceiveRtp.subscribe((p) => {
        seen.first ??= p.payload;
        seen.packets++;
        seen.payloadTypes.add(p.header.payloadType);
        seen.nalTypes.add(p.payload[0]! & 0x9f); // forbidden bit + NAL type
      });
    });
    let vp8OnlyVideo = 0;
    let vp8OnlyAudio = 0;
    vp8Only.eachTrack((t) => t.slot === 'main' && t.track.onReceiveRtp.subscribe(() => (t.kind === 'video' ? vp8OnlyVideo++ : vp8OnlyAudio++)));

    const audio = new MediaStreamTrack({ kind: 'audio' });
    const video = new MediaStreamTrack({ kind: 'video' });
    await host.publish({ audio, video });
    await host.publisherConnected();
    const source = await RtpSource.start({
      file: await testClip(), loop: true, videoCodec: 'h264',
      onPacket: (kind, packet) => (kind === 'audio' ? audio : video).writeRtp(packet),
    });
    cleanups.push(() => source.close());

    await until(() => seen.packets > 100 && vp8OnlyAudio > 50, 'H.264 at one viewer and sound at both');
    expect(isH264KeyframeStart(seen.first!)).toBe(true);
    // Every payload is an H.264 NAL unit, single or fragmented (FU-A), under one payload type.
    expect([...seen.nalTypes].every((n) => [1, 5, 6, 7, 8, 24, 28].includes(n))).toBe(true);
    expect(seen.nalTypes.has(28)).toBe(true);
    expect(seen.payloadTypes.size).toBe(1);
    expect(vp8OnlyVideo).toBe(0);
  });
});
