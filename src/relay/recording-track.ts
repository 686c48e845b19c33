// One stream of a recording: packets of a source (the program feed, or a seat's publication) go through a jitter
// buffer and, for video, frame gating — then out as serialised RTP with a fixed payload type per codec (VP8 96,
// H.264 102, Opus 111) and the codec it carries, numbered anew without gaps (what was given up or left out is not
// coming: ffmpeg need not wait for it).
//
// Video goes to the file in whole frames only. A frame's packets are held until its last one (the marker bit) has
// come, each right after the one before: a frame missing a packet — given up by the jitter buffer, cut off by a
// venue handoff, or still incomplete when the recording stops — is left out whole, since ffmpeg would copy the part
// it got and every player would show it broken. After a frame is left out, and when the codec changes (the main
// venue moved to a venue sending another codec), the file gets nothing until the next keyframe, which is asked for
// at once.
import { RtpHeader, RtpPacket } from 'werift';
import { JitterBuffer } from './jitter-buffer.js';
import { isKeyframeStart } from './keyframe.js';
import type { CodecName, MediaKind, PacketSource } from './packet-source.js';

export const RECORDING_PT: Record<CodecName, number> = { vp8: 96, h264: 102, opus: 111 };
/** One SSRC per stream of a file, whichever venue the program came from. */
const RECORDING_SSRC: Record<MediaKind, number> = { audio: 0x6a790001, video: 0x6a790002 };
/** A frame longer than this (packets) without its marker bit is taken as broken (no sender's frame is this big). */
const MAX_FRAME_PACKETS = 2000;

/** A packet out of a recording track: its kind, codec and serialised RTP. */
export type RecordingSink = (kind: MediaKind, codec: CodecName, rtp: Buffer) => void;

export class RecordingTrack {
  readonly kind: MediaKind;
  readonly #source: PacketSource;
  readonly #buffer: JitterBuffer;
  readonly #unsubscribe: () => void;
  readonly #write: RecordingSink;
  #waitingForKeyframe: boolean;
  /** The codec the source sends now. */
  #codec: CodecName | undefined;
  /** Video: the packets of the frame being completed, in sequence. */
  #frame: RtpPacket[] = [];
  /** Video: the sequence number of the last packet out of the jitter buffer. */
  #lastSeq: number | undefined;
  /** The sequence number of the next packet written: the file's stream is numbered without gaps. */
  #outSeq: number | undefined;
  /** Packets written. */
  written = 0;
  /** Video packets left out: of incomplete frames, and while waiting for a keyframe. */
  leftOut = 0;

  constructor(source: PacketSource, write: RecordingSink) {
    this.kind = source.kind;
    this.#source = source;
    this.#write = write;
    this.#waitingForKeyframe = source.kind === 'video';
    this.#buffer = new JitterBuffer({
      deliver: (p) => this.#deliver(p),
      onLoss: () => {
        if (this.kind === 'video') this.#broken();
      },
    });
    this.#unsubscribe = source.subscribe((p) => this.#buffer.push(p));
    if (this.kind === 'video') source.requestKeyframe();
  }

  get lost(): number {
    return this.#buffer.lost;
  }

  #deliver(p: RtpPacket): void {
    const codec = this.#source.codecOf(p.header.payloadType);
    if (!codec || (codec === 'opus') !== (this.kind === 'audio')) return;
    if (this.kind === 'audio') {
      this.#out(p, codec);
      return;
    }
    const seq = p.header.sequenceNumber;
    const inSequence = this.#lastSeq === undefined || seq === ((this.#lastSeq + 1) & 0xffff);
    this.#lastSeq = seq;
    // What is held can never be completed when a packet is missing before this one (given up, or passed over by
    // the jitter buffer as the recording stops), when a new frame starts before the last one's end (a handoff cut
    // it off), or when the codec changes.
    const cut = !inSequence || (this.#codec !== undefined && codec !== this.#codec)
      || (this.#frame.length > 0 && p.header.timestamp !== this.#frame[0]!.header.timestamp);
    if (cut && (this.#frame.length > 0 || !this.#waitingForKeyframe)) this.#broken(isKeyframeStart(p.payload, codec));
    this.#codec = codec;
    if (this.#frame.length === 0 && this.#waitingForKeyframe) {
      if (!isKeyframeStart(p.payload, codec)) {
        this.leftOut++;
        return;
      }
      this.#waitingForKeyframe = false;
    }
    this.#frame.push(p);
    if (p.header.marker) {
      for (const q of this.#frame) this.#out(q, codec);
      this.#frame = [];
    } else if (this.#frame.length > MAX_FRAME_PACKETS) this.#broken();
  }

  /**
   * The frame being completed cannot be: it is left out, and so is everything up to the next keyframe (asked for,
   * unless `keyframeNext`: the packet at hand starts one).
   */
  #broken(keyframeNext = false): void {
    this.leftOut += this.#frame.length;
    this.#frame = [];
    this.#waitingForKeyframe = true;
    if (!keyframeNext) this.#source.requestKeyframe();
  }

  #out(p: RtpPacket, codec: CodecName): void {
    const h = p.header;
    const seq = this.#outSeq ?? h.sequenceNumber;
    this.#outSeq = (seq + 1) & 0xffff;
    const out = new RtpPacket(new RtpHeader({ marker: h.marker, payloadType: RECORDING_PT[codec], sequenceNumber: seq, timestamp: h.timestamp, ssrc: RECORDING_SSRC[this.kind], extensions: [] }), p.payload);
    this.written++;
    this.#write(this.kind, codec, out.serialize());
  }

  /** Stop listening; what the jitter buffer still holds is delivered first (a frame it leaves incomplete is not). */
  close(): void {
    this.#unsubscribe();
    this.#buffer.flush();
    this.#buffer.close();
    this.leftOut += this.#frame.length;
    this.#frame = [];
  }

  get source(): PacketSource {
    return this.#source;
  }
}
