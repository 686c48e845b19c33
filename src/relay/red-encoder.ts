// Audio redundancy (RFC 2198 "RED", `audio/red` in SDP): each packet carries the previous packet's payload as well,
// so a viewer that loses one packet recovers it from the next. One viewer leg's encoder: it remembers what it sent
// last on that leg. The blocks are the publisher's Opus payloads, untouched.
//
//   redundant block header: F=1 | block PT (7) | timestamp offset (14) | block length (10)
//   primary block header:   F=0 | block PT (7)
//   then the redundant payload, then the primary payload.

/** Largest redundant block RED can describe (10-bit length) and largest timestamp offset (14 bits). */
const MAX_BLOCK = 1023;
const MAX_OFFSET = 0x3fff;

export class RedEncoder {
  #prevSeq = -1;
  #prevTs = 0;
  #prevPayload: Buffer | undefined;

  /**
   * The RED payload for the packet numbered `seq` (this leg's numbers) with `timestamp`: the previous packet as a
   * redundant block when it was the one just before (consecutive number, a timestamp offset RED can carry), then
   * this packet. `blockPayloadType` is the leg's Opus payload type.
   */
  encode(seq: number, timestamp: number, payload: Buffer, blockPayloadType: number): Buffer {
    const prev = this.#prevPayload;
    const offset = (timestamp - this.#prevTs) >>> 0;
    const usable = prev !== undefined && ((this.#prevSeq + 1) & 0xffff) === seq && prev.length > 0 && prev.length <= MAX_BLOCK && offset > 0 && offset <= MAX_OFFSET;
    this.#prevSeq = seq;
    this.#prevTs = timestamp;
    this.#prevPayload = payload;
    const pt = blockPayloadType & 0x7f;
    if (!usable) {
      const out = Buffer.allocUnsafe(1 + payload.length);
      out[0] = pt;
      payload.copy(out, 1);
      return out;
    }
    const out = Buffer.allocUnsafe(5 + prev.length + payload.length);
    out[0] = 0x80 | pt;
    out.writeUIntBE(((offset & MAX_OFFSET) << 10) | prev.length, 1, 3);
    out[4] = pt;
    prev.copy(out, 5);
    payload.copy(out, 5 + prev.length);
    return out;
  }

  /** Forget the previous packet (the stream restarted: a new source or RED switched back on). */
  reset(): void {
    this.#prevSeq = -1;
    this.#prevPayload = undefined;
  }
}
