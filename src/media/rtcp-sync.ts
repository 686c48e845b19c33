// RTCP for the local ffmpeg a recording is written by. Sender reports put a file's streams on one clock: without
// them ffmpeg starts each stream at 0 from its own first packet, so sound that starts before the first keyframe
// would run ahead of the picture by that much. A BYE on every stream is ffmpeg's end of input: it writes out what
// it holds (even what it was still probing) and finishes the file. An empty report keeps a quiet input open.

const TWO_32 = 2n ** 32n;
/** Seconds from 1900 (NTP) to 1970 (Unix). */
const NTP_UNIX = 2208988800n;
/** How often (in the stream's own time) a report is repeated, so ffmpeg's 32-bit timestamp arithmetic never wraps. */
const REPORT_EVERY_S = 5;

/** An RTCP sender report (no report blocks): `ntp` (64-bit NTP time) is when `rtpTimestamp` was sampled. */
export function senderReport(ssrc: number, ntp: bigint, rtpTimestamp: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b.writeBigUInt64BE(ntp, 8);
  b.writeUInt32BE(rtpTimestamp >>> 0, 16);
  return b;
}

/** An empty receiver report then a BYE: ffmpeg ignores datagrams shorter than 12 bytes, so the BYE goes compound. */
export function bye(ssrc: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x80;
  b[1] = 201;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b[8] = 0x81;
  b[9] = 203;
  b.writeUInt16BE(1, 10);
  b.writeUInt32BE(ssrc >>> 0, 12);
  return b;
}

/**
 * An empty receiver report, which ffmpeg reads and ignores: sent to a stream that has been quiet, because ffmpeg
 * ends its input after 10 s without a datagram (a recording started before anyone publishes, a long handoff).
 */
export function keepAlive(): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x80;
  b[1] = 201;
  b.writeUInt16BE(1, 2);
  return b;
}

/** Wall-clock milliseconds as 64-bit NTP time. */
function ntpOf(ms: number): bigint {
  return (BigInt(Math.round(ms)) * TWO_32) / 1000n + NTP_UNIX * TWO_32;
}

/**
 * The sender reports of one stream: the first packet is placed at the time it arrived; later reports follow the
 * stream's own timestamps exactly (never the wall clock again), so they cannot make its timeline jump.
 */
export class StreamClock {
  readonly #rate: number;
  #base: bigint | undefined;
  #lastTs = 0;
  /** Ticks since the first packet (timestamps unwrapped). */
  #elapsed = 0;
  #reportedAt = 0;

  constructor(clockRate: number) {
    this.#rate = clockRate;
  }

  /** The report to send just before this RTP packet, if one is due. */
  reportBefore(rtp: Buffer, atMs: number): Buffer | undefined {
    if (rtp.length < 12) return undefined;
    const ts = rtp.readUInt32BE(4);
    const ssrc = rtp.readUInt32BE(8);
    if (this.#base === undefined) {
      this.#base = ntpOf(atMs);
      this.#lastTs = ts;
      return senderReport(ssrc, this.#base, ts);
    }
    this.#elapsed += (ts - this.#lastTs) | 0;
    this.#lastTs = ts;
    if (this.#elapsed - this.#reportedAt < REPORT_EVERY_S * this.#rate) return undefined;
    this.#reportedAt = this.#elapsed;
    const rate = BigInt(this.#rate);
    return senderReport(ssrc, this.#base + (BigInt(this.#elapsed) * TWO_32 + rate / 2n) / rate, ts);
  }
}
