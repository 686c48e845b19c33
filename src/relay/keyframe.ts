// Where a keyframe starts, for each video codec the relay forwards (payloads are never decoded beyond this).
import { isH264KeyframeStart } from './h264.js';
import type { CodecName } from './packet-source.js';
import { isVp8KeyframeStart } from './vp8.js';

export function isKeyframeStart(payload: Buffer, codec: CodecName | undefined): boolean {
  if (codec === 'h264') return isH264KeyframeStart(payload);
  if (codec === 'vp8') return isVp8KeyframeStart(payload);
  return false;
}
