// Just enough of the H.264 RTP payload format (RFC 6184) to recognise the first packet of a keyframe: an SPS or
// an IDR slice, alone, in a STAP-A aggregate, or starting an FU-A fragment.

const SPS = 7;
const IDR = 5;
const STAP_A = 24;
const FU_A = 28;

export function isH264KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  if (type === SPS || type === IDR) return true;
  if (type === STAP_A) {
    // [STAP-A header][size 16 bits][NAL]…
    for (let i = 1; i + 2 < payload.length; ) {
      const size = payload.readUInt16BE(i);
      const nal = payload[i + 2]! & 0x1f;
      if (nal === SPS || nal === IDR) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === FU_A) {
    if (payload.length < 2) return false;
    const start = (payload[1]! & 0x80) !== 0;
    return start && (payload[1]! & 0x1f) === IDR;
  }
  return false;
}
