// Records what a headless participant receives (VP8 + Opus RTP) to WebM: the tracks' packets go to an
// RtpWebmWriter (ffmpeg); `stop()` finishes the file (duration and cues written, seekable).
// When the subscribing connection is replaced (a restart after ICE/DTLS failure), `follow()` moves the recording
// onto the new connection's tracks: each stream keeps one SSRC, payload type, and unbroken sequence numbers and
// timestamps (the gap shows as the time that passed), and video resumes on a keyframe, so the file goes on.
import type { MediaStreamTrack, RtpPacket } from 'werift';
import { RtpWebmWriter } from '../media/rtp-webm-writer.js';
import { StreamContinuity } from '../relay/continuity.js';
import { isKeyframeStart } from '../relay/keyframe.js';

export interface RecordedTrack {
  readonly kind: 'audio' | 'video';
  readonly track: MediaStreamTrack;
}

type Kind = RecordedTrack['kind'];

/** One recorded stream: the numbering the file sees, whatever connection the packets come on. */
class RecordedStream {
  readonly kind: Kind;
  readonly payloadType: number;
  readonly continuity: StreamContinuity;
  ssrc: number | undefined;
  /** Video after a connection change waits for a keyframe (frames before it reference what the file lacks). */
  awaitingKeyframe = false;

  constructor(kind: Kind, payloadType: number) {
    this.kind = kind;
    this.payloadType = payloadType;
    this.continuity = new StreamContinuity(kind);
  }

  /** The packet as the file gets it (a copy), or undefined to leave it out. */
  rewrite(p: RtpPacket): Buffer | undefined {
    if (this.awaitingKeyframe) {
      if (!isKeyframeStart(p.payload, 'vp8')) return undefined;
      this.awaitingKeyframe = false;
    }
    const mapped = this.continuity.map(p.header.sequenceNumber, p.header.timestamp);
    if (!mapped) return undefined;
    const buf = p.serialize();
    this.ssrc ??= p.header.ssrc;
    buf[1] = (buf[1]! & 0x80) | this.payloadType;
    buf.writeUInt16BE(mapped.seq, 2);
    buf.writeUInt32BE(mapped.ts, 4);
    buf.writeUInt32BE(this.ssrc, 8);
    return buf;
  }
}

export class RtpRecorder {
  readonly #writer: RtpWebmWriter;
  readonly #streams: Map<Kind, RecordedStream>;
  readonly #unsubscribe: (() => void)[] = [];
  #stopped = false;

  private constructor(writer: RtpWebmWriter, streams: Map<Kind, RecordedStream>) {
    this.#writer = writer;
    this.#streams = streams;
  }

  /** Start recording `tracks` (one audio, one video) to `path` (.webm). */
  static async start(path: string, tracks: readonly RecordedTrack[]): Promise<RtpRecorder> {
    // The payload type the relay negotiated with us: from the codec, else from the first packet.
    const streams = await Promise.all(tracks.map(async (t) => ({
      kind: t.kind,
      payloadType: t.track.codec?.payloadType ?? (await t.track.onReceiveRtp.asPromise())[0].header.payloadType,
    })));
    const rec = new RtpRecorder(await RtpWebmWriter.start(path, streams), new Map(streams.map((s) => [s.kind, new RecordedStream(s.kind, s.payloadType)])));
    rec.#attach(tracks);
    return rec;
  }

  /** Packets written to the file so far, per kind. */
  get written(): Readonly<Record<Kind, number>> {
    return this.#writer.written;
  }

  /** Record from these tracks (a new subscribing connection's) from now on, in the same file. */
  follow(tracks: readonly RecordedTrack[]): void {
    if (this.#stopped) return;
    for (const u of this.#unsubscribe.splice(0)) u();
    for (const s of this.#streams.values()) {
      s.continuity.restart();
      s.awaitingKeyframe = s.kind === 'video';
    }
    this.#attach(tracks);
  }

  #attach(tracks: readonly RecordedTrack[]): void {
    for (const t of tracks) {
      const stream = this.#streams.get(t.kind);
      if (!stream) continue;
      const { unSubscribe } = t.track.onReceiveRtp.subscribe((p) => {
        const buf = stream.rewrite(p);
        if (buf) this.#writer.write(t.kind, buf);
      });
      this.#unsubscribe.push(unSubscribe);
    }
  }

  /** Finish the file. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.#writer.stop();
  }
}
