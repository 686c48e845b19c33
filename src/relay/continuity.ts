// One outgoing stream's numbering across source changes: after a switch, sequence numbers continue right after the
// last one sent and timestamps after the last one plus the time that passed (at least one packet's worth, so two
// never collide), so a receiver sees one unbroken stream. Late reordered packets are refused.
import type { MediaKind } from './packet-source.js';

const CLOCK: Record<MediaKind, number> = { audio: 48000, video: 90000 };
/** 20 ms of sound; one 30 fps frame. */
const MIN_STEP: Record<MediaKind, number> = { audio: 960, video: 3000 };

export class StreamContinuity {
  readonly kind: MediaKind;
  #rebase = true;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq: number | undefined;
  #lastTs: number | undefined;
  #lastAt = 0;

  constructor(kind: MediaKind) {
    this.kind = kind;
  }

  /** The next packet comes from a new source. */
  restart(): void {
    this.#rebase = true;
  }

  /** Whether the next `map` starts a new source (true until the first packet after a restart). */
  get rebasing(): boolean {
    return this.#rebase;
  }

  /** What the source's timestamps are shifted by (its RTP clock → ours). */
  get tsOffset(): number {
    return this.#tsOffset;
  }

  get lastTs(): number | undefined {
    return this.#lastTs;
  }

  /** Wall-clock ms of the last packet sent. */
  get lastAt(): number {
    return this.#lastAt;
  }

  /** Our numbers for a source packet, or undefined for one that arrives after a later one (dropped). */
  map(sequenceNumber: number, timestamp: number): { seq: number; ts: number } | undefined {
    if (this.#rebase) {
      this.#rebase = false;
      if (this.#lastSeq === undefined || this.#lastTs === undefined) {
        this.#seqOffset = 0;
        this.#tsOffset = 0;
      } else {
        const elapsed = Math.max(MIN_STEP[this.kind], Math.round(((Date.now() - this.#lastAt) / 1000) * CLOCK[this.kind]));
        this.#seqOffset = (this.#lastSeq + 1 - sequenceNumber) & 0xffff;
        this.#tsOffset = (this.#lastTs + elapsed - timestamp) >>> 0;
      }
    }
    const seq = (sequenceNumber + this.#seqOffset) & 0xffff;
    if (this.#lastSeq !== undefined && ((seq - this.#lastSeq) & 0xffff) > 0x8000) return undefined;
    const ts = (timestamp + this.#tsOffset) >>> 0;
    this.#lastSeq = seq;
    this.#lastTs = ts;
    this.#lastAt = Date.now();
    return { seq, ts };
  }
}
