// The benchmark's publisher: a host (werift, through ParticipantClient) writing synthetic RTP — 30 fps video of
// 4 packets × ~1100 B (≈ 1 Mbps), every 60th frame a VP8 keyframe start (RFC 7741), plus Opus-sized audio at
// 50 packets/s. Every payload carries its send time (CLOCK_MONOTONIC, shared by all processes on the machine).
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { ParticipantClient } from '../src/client/participant-client.js';

const MAGIC = 0x4a59424e; // "JYBN"
const VIDEO_FPS = 30;
const PACKETS_PER_FRAME = 4;
const VIDEO_PAYLOAD = 1100;
const AUDIO_PPS = 50;
const AUDIO_PAYLOAD = 160;
const KEYFRAME_EVERY = 60;
/** VP8 payload descriptor (1 byte, X=0) + the 3-byte frame tag of a first packet. */
const VIDEO_HEADER = 4;

const filler = Buffer.alloc(VIDEO_PAYLOAD, 0x5a);

/** Send time (ns, CLOCK_MONOTONIC) stamped into a payload, or undefined if it carries none. */
export function sendTimeOf(payload: Buffer, kind: 'audio' | 'video'): bigint | undefined {
  const at = kind === 'video' ? VIDEO_HEADER : 0;
  if (payload.length < at + 12 || payload.readUInt32BE(at) !== MAGIC) return undefined;
  return payload.readBigUInt64BE(at + 4);
}

function stamp(payload: Buffer, at: number): void {
  payload.writeUInt32BE(MAGIC, at);
  payload.writeBigUInt64BE(process.hrtime.bigint(), at + 4);
}

/** The payload of video packet `index` (0–3) of frame `frame`. */
function videoPayload(frame: number, index: number): Buffer {
  const p = Buffer.allocUnsafe(VIDEO_PAYLOAD);
  filler.copy(p);
  // Descriptor: S=1 and PID 0 on the frame's first packet. Frame tag, bit 0: 0 = keyframe, 1 = interframe.
  p[0] = index === 0 ? 0x10 : 0x00;
  p[1] = index === 0 && frame % KEYFRAME_EVERY === 0 ? 0x00 : 0x01;
  stamp(p, VIDEO_HEADER);
  return p;
}

export interface PublisherOptions {
  readonly relay: string;
  readonly code: string;
  readonly hostKey: string;
  readonly ca: string;
}

export class SyntheticPublisher {
  readonly client: ParticipantClient;
  readonly #audio: MediaStreamTrack;
  readonly #video: MediaStreamTrack;
  #timer: NodeJS.Timeout | undefined;
  #start = 0n;
  #frames = 0;
  #audioPackets = 0;
  #videoSeq = 0;
  #audioSeq = 0;
  readonly #ssrc = { audio: 0x1000 + Math.floor(Math.random() * 1e6), video: 0x2000000 + Math.floor(Math.random() * 1e6) };
  /** Packets written so far. */
  readonly sent = { audio: 0, video: 0 };

  private constructor(client: ParticipantClient, audio: MediaStreamTrack, video: MediaStreamTrack) {
    this.client = client;
    this.#audio = audio;
    this.#video = video;
  }

  /** Join as host, publish, and start writing packets once the publishing connection is up. */
  static async start(opts: PublisherOptions): Promise<SyntheticPublisher> {
    const client = await ParticipantClient.connect({ relay: opts.relay, code: opts.code, name: '主讲', venue: '教育中心', hostKey: opts.hostKey, ca: opts.ca });
    const audio = new MediaStreamTrack({ kind: 'audio' });
    const video = new MediaStreamTrack({ kind: 'video' });
    await client.publish({ audio, video });
    await client.publisherConnected();
    const p = new SyntheticPublisher(client, audio, video);
    p.#start = process.hrtime.bigint();
    // A 2 ms tick; how much is due is computed from the clock, so the rates hold whatever the tick jitter.
    p.#timer = setInterval(() => p.#tick(), 2);
    return p;
  }

  #tick(): void {
    const elapsed = Number(process.hrtime.bigint() - this.#start) / 1e9;
    while (this.#frames < Math.floor(elapsed * VIDEO_FPS) + 1) this.#sendFrame(this.#frames++);
    while (this.#audioPackets < Math.floor(elapsed * AUDIO_PPS) + 1) this.#sendAudio(this.#audioPackets++);
  }

  #sendFrame(frame: number): void {
    for (let i = 0; i < PACKETS_PER_FRAME; i++) {
      const header = new RtpHeader({
        payloadType: 96, sequenceNumber: this.#videoSeq++ & 0xffff, timestamp: (frame * (90000 / VIDEO_FPS)) >>> 0,
        ssrc: this.#ssrc.video, marker: i === PACKETS_PER_FRAME - 1,
      });
      this.#video.writeRtp(new RtpPacket(header, videoPayload(frame, i)));
      this.sent.video++;
    }
  }

  #sendAudio(n: number): void {
    const payload = Buffer.alloc(AUDIO_PAYLOAD, 0x33);
    stamp(payload, 0);
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: this.#audioSeq++ & 0xffff, timestamp: (n * 960) >>> 0, ssrc: this.#ssrc.audio, marker: false });
    this.#audio.writeRtp(new RtpPacket(header, payload));
    this.sent.audio++;
  }

  close(): void {
    clearInterval(this.#timer);
    this.client.close();
  }
}
