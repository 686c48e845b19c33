// One stream of a recording: packets of a source (the program feed, or a seat's publication) go through a jitter
// buffer and, for video, keyframe gating — after a loss, and when the codec changes (the main venue moved to a
// venue sending another codec), the file gets nothing until the next keyframe, which is asked for at once — then out
// as serialised RTP with a fixed payload type per codec (VP8 96, H.264 102, Opus 111) and the codec it carries.
import { RtpHeader, RtpPacket } from 'werift';
import { JitterBuffer } from './jitter-buffer.js';
import { isKeyframeStart } from './keyframe.js';
import type { CodecName, MediaKind, PacketSource } from './packet-source.js';

export const RECORDING_PT: Record<CodecName, number> = { vp8: 96, h264: 102, opus: 111 };
/** One SSRC per stream of a file, whichever venue the program came from. */
const RECORDING_SSRC: Record<MediaKind, number> = { audio: 0x6a790001, video: 0x6a790002 };

/** A packet out of a recording track: its kind, codec and serialised RTP. */
export type RecordingSink = (kind: MediaKind, codec: CodecName, rtp: Buffer) => void;

export class RecordingTrack {
  readonly kind: MediaKind;
  readonly #source: PacketSource;
  readonly #buffer: JitterBuffer;
  readonly #unsubscribe: () => void;
  #waitingForKeyframe: boolean;
  /** The codec the source sends now. */
  #codec: CodecName | undefined;
  /** Packets written, and packets given up after waiting. */
  written = 0;

  constructor(source: PacketSource, write: RecordingSink) {
    this.kind = source.kind;
    this.#source = source;
    this.#waitingForKeyframe = source.kind === 'video';
    this.#buffer = new JitterBuffer({
      deliver: (p) => {
        const codec = source.codecOf(p.header.payloadType);
        if (!codec || (codec === 'opus') !== (this.kind === 'audio')) return;
        if (this.kind === 'video' && this.#codec !== undefined && codec !== this.#codec) {
          this.#waitingForKeyframe = true;
          source.requestKeyframe();
        }
        this.#codec = codec;
        if (this.#waitingForKeyframe) {
          if (!isKeyframeStart(p.payload, codec)) return;
          this.#waitingForKeyframe = false;
        }
        const h = p.header;
        const out = new RtpPacket(new RtpHeader({ marker: h.marker, payloadType: RECORDING_PT[codec], sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: RECORDING_SSRC[this.kind], extensions: [] }), p.payload);
        this.written++;
        write(this.kind, codec, out.serialize());
      },
      onLoss: () => {
        if (this.kind !== 'video') return;
        this.#waitingForKeyframe = true;
        source.requestKeyframe();
      },
    });
    this.#unsubscribe = source.subscribe((p) => this.#buffer.push(p));
    if (this.kind === 'video') source.requestKeyframe();
  }

  get lost(): number {
    return this.#buffer.lost;
  }

  /** Stop listening; what the jitter buffer still holds is delivered first. */
  close(): void {
    this.#unsubscribe();
    this.#buffer.flush();
    this.#buffer.close();
  }

  get source(): PacketSource {
    return this.#source;
  }
}
