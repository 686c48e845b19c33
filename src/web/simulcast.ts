// What the join page publishes its camera as: three simulcast layers for Chromium, one layer elsewhere. DOM-free.

/** One encoding of the camera (the fields of RTCRtpEncodingParameters the page sets). */
export interface LayerEncoding {
  readonly rid: 'h' | 'm' | 'l';
  readonly scaleResolutionDownBy?: number;
  readonly maxBitrate: number;
}

/**
 * Simulcast: the camera in three sizes, so the relay can send each viewer what its link takes (960×540, 480×270,
 * 240×135). The full picture comes first: a relay whose answer refuses simulcast gets that one alone. The low layer
 * stays under 100 kbit/s so that, with the sound, it fits the 150 kbit/s at which the relay chooses it.
 */
export const SIMULCAST: readonly LayerEncoding[] = [
  { rid: 'h', maxBitrate: 1_200_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 400_000 },
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
];

/**
 * Whether this browser publishes simulcast: Chromium (headless too), which the relay's answer makes start at
 * 2 Mbit/s so that it sends all three layers. Firefox ignores that hint and, without bandwidth feedback from the
 * relay, never reaches the top layer (the relay would get a 480×270 picture at best): it publishes one layer.
 */
export function publishesSimulcast(userAgent: string): boolean {
  return /Chrom(e|ium)\//.test(userAgent) && !/Firefox\//.test(userAgent);
}
