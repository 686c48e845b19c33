// Keyframe starts in H.264 RTP payloads (RFC 6184), and the relay's trimming of offered H.264 variants.
import { describe, expect, it } from 'vitest';
import { isH264KeyframeStart } from '../../src/relay/h264.js';
import { keepBaselineH264 } from '../../src/relay/sdp-compat.js';

const nal = (type: number, ...rest: number[]) => Buffer.from([0x60 | type, ...rest]);

describe('H.264 keyframe starts', () => {
  it('sees an SPS or an IDR slice sent alone', () => {
    expect(isH264KeyframeStart(nal(7, 0x42, 0xe0))).toBe(true);
    expect(isH264KeyframeStart(nal(5, 0x88))).toBe(true);
    expect(isH264KeyframeStart(nal(1, 0x9a))).toBe(false); // a non-IDR slice
    expect(isH264KeyframeStart(nal(8, 0xce))).toBe(false); // PPS alone
    expect(isH264KeyframeStart(Buffer.alloc(0))).toBe(false);
  });

  it('looks inside a STAP-A aggregate', () => {
    const stap = (...nals: Buffer[]) => Buffer.concat([Buffer.from([24]), ...nals.flatMap((n) => [Buffer.from([0, n.length]), n])]);
    expect(isH264KeyframeStart(stap(nal(7, 0x42), nal(8, 0xce)))).toBe(true);
    expect(isH264KeyframeStart(stap(nal(6, 0x05), nal(1, 0x9a)))).toBe(false);
  });

  it('takes only the first fragment of an IDR in FU-A', () => {
    expect(isH264KeyframeStart(Buffer.from([0x7c, 0x85, 0x88]))).toBe(true); // S=1, type 5
    expect(isH264KeyframeStart(Buffer.from([0x7c, 0x05, 0x88]))).toBe(false); // a middle fragment
    expect(isH264KeyframeStart(Buffer.from([0x7c, 0x81, 0x9a]))).toBe(false); // start of a non-IDR slice
  });
});

describe('trimming the H.264 variants of an answer', () => {
  it('keeps baseline in packetization mode 1 and removes every line of the others', () => {
    const sdp = [
      'v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 102 104 108', 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack',
      'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack pli', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      'a=rtpmap:104 H264/90000', 'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
      'a=rtpmap:108 H264/90000', 'a=rtcp-fb:108 nack', 'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032', '',
    ].join('\r\n');
    const out = keepBaselineH264(sdp).split('\r\n');
    expect(out).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96 102');
    expect(out.filter((l) => /:(104|108) /.test(l))).toEqual([]);
    expect(out).toContain('a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f');
    expect(out).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111');
  });
});
