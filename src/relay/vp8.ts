// Just enough of the VP8 RTP payload format (RFC 7741) to recognise the first packet of a keyframe.

/** True when this RTP payload starts a VP8 keyframe (S=1, partition 0, P bit of the frame header = 0). */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const x = (b0 & 0x80) !== 0;
  const s = (b0 & 0x10) !== 0;
  const pid = b0 & 0x07;
  if (!s || pid !== 0) return false;
  let i = 1;
  if (x) {
    if (payload.length < 2) return false;
    const b1 = payload[1]!;
    i = 2;
    if (b1 & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1; // I: PictureID, 7 or 15 bits
    if (b1 & 0x40) i += 1; // L: TL0PICIDX
    if (b1 & 0x30) i += 1; // T or K: TID/Y/KEYIDX
  }
  if (payload.length <= i) return false;
  return (payload[i]! & 0x01) === 0;
}
