// Codec order for setCodecPreferences: the relay pins VP8 + Opus, so those go first. werift echoes back every
// H.264 variant it is offered, so of H.264 only the one the relay accepts (42e01f, packetization-mode=1) is
// kept. Pure: works on anything shaped like RTCRtpCodec.

export interface CodecLike {
  mimeType: string;
  sdpFmtpLine?: string;
}

function isAcceptedH264(c: CodecLike): boolean {
  const fmtp = (c.sdpFmtpLine ?? '').toLowerCase();
  return fmtp.includes('profile-level-id=42e01f') && fmtp.includes('packetization-mode=1');
}

/**
 * `codecs` reordered with `preferred` (e.g. "video/VP8") first, H.264 variants other than 42e01f/mode 1
 * dropped, the rest (rtx, red, ulpfec, …) kept in their order. Null when `preferred` is not among them
 * (then the browser's own order is left alone).
 */
export function orderCodecs<C extends CodecLike>(codecs: readonly C[], preferred: string): C[] | null {
  const want = preferred.toLowerCase();
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === want);
  if (first.length === 0) return null;
  const rest = codecs.filter((c) => {
    const mime = c.mimeType.toLowerCase();
    if (mime === want) return false;
    return mime !== 'video/h264' || isAcceptedH264(c);
  });
  return [...first, ...rest];
}
