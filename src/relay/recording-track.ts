// One stream of a recording: packets of a source (the program feed, or a seat's publication) go through a jitter
// buffer and, for video, keyframe gating — after a loss the file gets nothing until the next keyframe, which is
// asked for at once — then out as serialised RTP with a fixed payload type (VP8 96, Opus 111).
import { RtpHeader, RtpPacket } from 'werift';
import { JitterBuffer } from './jitter-buffer.js';
import { isKeyframeStart } from './keyframe.js';
import type { MediaKind, PacketSource } from './packet-source.js';

export const RECORDING_PT: Record<MediaKind, number> = { audio: 111, video: 96 };
/** One SSRC per stream of a file, whichever venue the program came from. */
const RECORDING_SSRC: Record<MediaKind, number> = { audio: 0x6a790001, video: 0x6a790002 };

export class RecordingTrack {
  readonly kind: MediaKind;
  readonly #source: PacketSource;
  readonly #buffer: JitterBuffer;
  readonly #unsubscribe: () => void;
  #waitingForKeyframe: boolean;
  /** Packets written, and packets given up after waiting. */
  written = 0;

  constructor(source: PacketSource, write: (kind: MediaKind, rtp: Buffer) => void) {
    this.kind = source.kind;
    this.#source = source;
    this.#waitingForKeyframe = source.kind === 'video';
    this.#buffer = new JitterBuffer({
      deliver: (p) => {
        const codec = source.codecOf(p.header.payloadType);
        // WebM here carries VP8 and Opus: an H.264 venue is not recorded.
        if (codec !== 'vp8' && codec !== 'opus') return;
        if (this.#waitingForKeyframe) {
          if (!isKeyframeStart(p.payload, codec)) return;
          this.#waitingForKeyframe = false;
        }
        const h = p.header;
        const out = new RtpPacket(new RtpHeader({ marker: h.marker, payloadType: RECORDING_PT[this.kind], sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: RECORDING_SSRC[this.kind], extensions: [] }), p.payload);
        this.written++;
        write(this.kind, out.serialize());
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

  close(): void {
    this.#unsubscribe();
    this.#buffer.flush();
    this.#buffer.close();
  }

  get source(): PacketSource {
    return this.#source;
  }
}
