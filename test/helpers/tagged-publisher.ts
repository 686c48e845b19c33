// A publisher whose packets say where they come from: VP8-shaped video (30 fps, 2 packets a frame, a keyframe
// every `keyframeEvery` frames and on every keyframe request, as a real encoder answers a PLI) and Opus-sized
// audio (50 packets/s), each payload tagged with its venue number, frame number and send time. Lets tests and
// bench:handoff tell at a viewer which venue a packet came from and whether it starts a keyframe.
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import type { ParticipantClient } from '../../src/client/participant-client.js';

const MAGIC = 0x4a59; // "JY"
const FPS = 30;
const PACKETS_PER_FRAME = 2;
const VIDEO_BYTES = 600;
const AUDIO_BYTES = 120;
/** VP8 payload descriptor (1 byte) + 3-byte frame tag on a frame's first packet. */
const VP8_HEADER = 4;

export interface Tag {
  readonly venue: number;
  readonly frame: number;
  /** performance.timeOrigin + performance.now() at sending, ms (same machine: comparable across processes). */
  readonly sentAt: number;
  /** First packet of a VP8 keyframe. */
  readonly keyframe: boolean;
}

/** Read the tag of a payload this publisher wrote (undefined for anything else). */
export function readTag(payload: Buffer, kind: 'audio' | 'video'): Tag | undefined {
  const at = kind === 'video' ? VP8_HEADER : 0;
  if (payload.length < at + 15 || payload.readUInt16BE(at) !== MAGIC) return undefined;
  const keyframe = kind === 'video' && (payload[0]! & 0x10) !== 0 && (payload[1]! & 0x01) === 0;
  return { venue: payload[at + 2]!, frame: payload.readUInt32BE(at + 3), sentAt: payload.readDoubleBE(at + 7), keyframe };
}

const now = () => performance.timeOrigin + performance.now();

export class TaggedPublisher {
  readonly venue: number;
  readonly #audio = new MediaStreamTrack({ kind: 'audio' });
  readonly #video = new MediaStreamTrack({ kind: 'video' });
  readonly #keyframeEvery: number;
  #timer: NodeJS.Timeout | undefined;
  #start = 0;
  #frames = 0;
  #audioPackets = 0;
  #seq = { audio: 0, video: 0 };
  #keyframeWanted = true;
  /** Keyframes sent, and keyframe requests received. */
  keyframes = 0;
  requests = 0;
  /** Packets written. */
  readonly sent = { audio: 0, video: 0 };

  private constructor(venue: number, keyframeEvery: number) {
    this.venue = venue;
    this.#keyframeEvery = keyframeEvery;
  }

  /** Publish from `client` (host or seat holder) and start sending once connected. */
  static async start(client: ParticipantClient, venue: number, opts: { keyframeEvery?: number } = {}): Promise<TaggedPublisher> {
    const p = new TaggedPublisher(venue, opts.keyframeEvery ?? 300);
    await client.publish({ audio: p.#audio, video: p.#video });
    await client.publisherConnected();
    client.onKeyframeRequest(() => {
      p.requests++;
      p.#keyframeWanted = true;
    });
    p.#start = now();
    p.#timer = setInterval(() => p.#tick(), 5);
    return p;
  }

  #tick(): void {
    const elapsed = (now() - this.#start) / 1000;
    while (this.#frames < Math.floor(elapsed * FPS) + 1) this.#frame(this.#frames++);
    while (this.#audioPackets < Math.floor(elapsed * 50) + 1) this.#sound(this.#audioPackets++);
  }

  #frame(n: number): void {
    const key = this.#keyframeWanted || n % this.#keyframeEvery === 0;
    this.#keyframeWanted = false;
    if (key) this.keyframes++;
    for (let i = 0; i < PACKETS_PER_FRAME; i++) {
      const payload = Buffer.alloc(VIDEO_BYTES, 0x5a);
      payload[0] = i === 0 ? 0x10 : 0x00;
      payload[1] = i === 0 && key ? 0x00 : 0x01;
      this.#stamp(payload, VP8_HEADER, n);
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: this.#seq.video++ & 0xffff, timestamp: (n * 3000) >>> 0, marker: i === PACKETS_PER_FRAME - 1 });
      this.#video.writeRtp(new RtpPacket(header, payload));
      this.sent.video++;
    }
  }

  #sound(n: number): void {
    const payload = Buffer.alloc(AUDIO_BYTES, 0x33);
    this.#stamp(payload, 0, n);
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: this.#seq.audio++ & 0xffff, timestamp: (n * 960) >>> 0 });
    this.#audio.writeRtp(new RtpPacket(header, payload));
    this.sent.audio++;
  }

  #stamp(payload: Buffer, at: number, n: number): void {
    payload.writeUInt16BE(MAGIC, at);
    payload[at + 2] = this.venue;
    payload.writeUInt32BE(n >>> 0, at + 3);
    payload.writeDoubleBE(now(), at + 7);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
