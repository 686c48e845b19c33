// Simulcast from a real browser through the real relay: the join page publishes its (fake) camera in three sizes,
// the relay receives all three, and a viewer gets the one its link takes — told here by the viewer's own REMB, the
// way a browser tells it. Down at once, up again after the hold, and below the floor audio only while the sound
// goes on. What the viewer decodes is checked by the width in the VP8 keyframes it receives.
import { expect, it } from 'vitest';
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, type RtpPacket } from 'werift';
import { ParticipantClient, type ReceivedTrack } from '../../src/client/participant-client.js';
import type { Publication } from '../../src/relay/publication.js';
import { isVp8KeyframeStart } from '../../src/relay/vp8.js';
import { browserRelayFixture, waitForState } from '../helpers/browser.js';
import { createSession, until } from '../helpers/relay.js';

const web = browserRelayFixture();
const { cleanups } = web;

/** Width of the picture a VP8 keyframe's first packet starts (RFC 7741 descriptor, then the VP8 frame header). */
function vp8Width(payload: Buffer): number | undefined {
  if (!isVp8KeyframeStart(payload)) return undefined;
  let i = 1;
  if (payload[0]! & 0x80) {
    const b1 = payload[1]!;
    i = 2;
    if (b1 & 0x80) i += payload[i]! & 0x80 ? 2 : 1;
    if (b1 & 0x40) i += 1;
    if (b1 & 0x30) i += 1;
  }
  // 3-byte frame tag, start code 9d 01 2a, then 14 bits of width.
  if (payload[i + 3] !== 0x9d || payload[i + 4] !== 0x01 || payload[i + 5] !== 0x2a) return undefined;
  return payload.readUInt16LE(i + 6) & 0x3fff;
}

/** A REMB (RFC draft-alvestrand-rmcat-remb) for `ssrc`: mantissa and exponent as the wire wants them. */
function remb(kbps: number, ssrc: number): RtcpPayloadSpecificFeedback {
  let exp = 0;
  let mantissa = kbps * 1000;
  while (mantissa >= 1 << 18) {
    mantissa >>= 1;
    exp++;
  }
  return new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({ senderSsrc: 1, mediaSsrc: 0, ssrcNum: 1, brExp: exp, brMantissa: mantissa, bitrate: BigInt(mantissa) << BigInt(exp), ssrcFeedbacks: [ssrc] }),
  });
}

it('a browser host publishes three layers and each viewer gets the one its link takes', async () => {
  const s = await createSession(web.relay, { title: '联播三层', kind: 'lesson' });
  const host = await web.joinPage(`${s.url}#hostKey=${s.hostKey}`, '张老师', '实验小学');
  await host.page.click('#start-broadcast');
  await waitForState(host.page, { publishing: true });

  // The relay receives the camera three times, each layer with its own keyframes; the widths of each, lowest first
  // (every width seen: a loaded machine makes the browser scale its layers down).
  const session = web.relay.running.relay.sessions.get(s.id)!;
  const video = () => [...session.participants.values()].find((p) => p.role === 'host' && !p.monitor)?.publications.get('video');
  await until(() => video()?.layers?.length === 3, 'three simulcast layers at the relay', 30_000);
  const layers = video()!.layers! as readonly Publication[];
  const widths = layers.map(() => new Set<number>());
  layers.forEach((l, i) => l.subscribe((p) => {
    const w = vp8Width(p.payload);
    if (w) widths[i]!.add(w);
  }));
  for (const l of layers) l.requestKeyframeNow();
  await until(() => widths.every((w) => w.size > 0), 'a keyframe of every layer', 30_000);
  const first = widths.map((w) => [...w][0]!);
  expect(first[0]).toBeLessThan(first[1]!);
  expect(first[1]).toBeLessThan(first[2]!);
  /** Which layer a keyframe of this width came from. */
  const layerOfWidth = (w: number) => ['l', 'm', 'h'][widths.findIndex((set) => set.has(w))];

  const monitor = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: 'IT', venue: '实验小学', hostKey: s.hostKey, monitor: true, ca: web.relay.ca });
  cleanups.push(() => monitor.close());
  const viewer = await ParticipantClient.connect({ relay: web.relay.running.url, code: s.code, name: '王老师', venue: '东山小学', ca: web.relay.ca });
  cleanups.push(() => viewer.close());
  const seen: number[] = [];
  const counts = { audio: 0, video: 0 };
  let main: ReceivedTrack | undefined;
  let ssrc: number | undefined;
  viewer.eachTrack((t) => {
    if (t.slot !== 'main') return;
    if (t.kind === 'video') main = t;
    t.track.onReceiveRtp.subscribe((p: RtpPacket) => {
      counts[t.kind]++;
      if (t.kind !== 'video') return;
      ssrc = p.header.ssrc;
      const w = vp8Width(p.payload);
      if (w) seen.push(w);
    });
  });
  const layerOfViewer = () => monitor.lastStatus?.peers.find((p) => p.peerId === viewer.joined.peerId)?.layer;
  /** Resolves once the viewer has received a keyframe of `layer` since `from` (an index into `seen`). */
  const keyframeOf = (layer: string, from: number, what: string) =>
    until(() => seen.slice(from).some((w) => layerOfWidth(w) === layer), what, 30_000).catch((err: unknown) => {
      console.log(`status ${layerOfViewer()}, layer widths ${JSON.stringify(widths.map((w) => [...w]))}, keyframes seen ${JSON.stringify(seen.slice(from))}`);
      throw err;
    });

  // A LAN viewer: the full picture.
  await keyframeOf('h', 0, 'the high layer at a fresh viewer');
  await until(() => layerOfViewer() === 'h', 'status: layer h');

  // The viewer's REMB says 200 kbit/s: the low layer at once.
  let mark = seen.length;
  let rembKbps = 200;
  const timer = setInterval(() => {
    const receiver = main?.receiver as unknown as { dtlsTransport?: { sendRtcp(p: unknown[]): Promise<void> } } | undefined;
    if (ssrc !== undefined) receiver?.dtlsTransport?.sendRtcp([remb(rembKbps, ssrc)]).catch(() => undefined);
  }, 250);
  cleanups.push(() => clearInterval(timer));
  await until(() => layerOfViewer() === 'l', 'status: layer l');
  await keyframeOf('l', mark, 'the low layer');
  expect(monitor.lastStatus?.peers.find((p) => p.peerId === viewer.joined.peerId)?.estimateKbps).toBe(200);

  // 50 kbit/s: below the floor, video pauses and the sound goes on.
  rembKbps = 50;
  await until(() => layerOfViewer() === 'audio', 'status: audio only');
  const settle = counts.audio + 25;
  await until(() => counts.audio >= settle, 'half a second of sound');
  const pausedVideo = counts.video;
  const later = counts.audio + 100;
  await until(() => counts.audio >= later, 'two more seconds of sound while paused');
  expect(counts.video).toBe(pausedVideo);

  // 200 kbit/s again: video resumes, at the low layer.
  mark = seen.length;
  rembKbps = 200;
  await until(() => layerOfViewer() === 'l', 'status: layer l after the pause');
  await keyframeOf('l', mark, 'the low layer after the pause');
  expect(counts.video).toBeGreaterThan(pausedVideo);

  // 3 Mbit/s: after the hold, the high layer again.
  mark = seen.length;
  rembKbps = 3000;
  await keyframeOf('h', mark, 'the high layer again');
  await until(() => layerOfViewer() === 'h', 'status: layer h again');
  expect(counts.video).toBeGreaterThan(pausedVideo);
  expect(host.errors).toEqual([]);
});
