// The relay's SDP fixes for Firefox: session-level ice-lite in what it sends, bundle-only m-lines it receives.
import { describe, expect, it } from 'vitest';
import { bundleOnlyAsBundled, iceLiteAtSessionLevel } from '../../src/relay/sdp-compat.js';

const lines = (...l: string[]) => l.join('\r\n');

describe('SDP fixes for Firefox', () => {
  it('moves ice-lite from the media sections to the session level, once', () => {
    const sdp = lines('v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'm=audio 9 UDP/TLS/RTP/SAVPF 96', 'a=ice-lite', 'a=mid:0', 'm=video 9 UDP/TLS/RTP/SAVPF 97', 'a=ice-lite', 'a=mid:1', '');
    expect(iceLiteAtSessionLevel(sdp)).toBe(lines('v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=ice-lite', 'a=group:BUNDLE 0 1', 'm=audio 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:0', 'm=video 9 UDP/TLS/RTP/SAVPF 97', 'a=mid:1', ''));
  });

  it('leaves an SDP without ice-lite alone', () => {
    const sdp = lines('v=0', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 96', '');
    expect(iceLiteAtSessionLevel(sdp)).toBe(sdp);
  });

  it('gives bundle-only m-lines a port and keeps rejected ones rejected', () => {
    const sdp = lines('v=0', 't=0 0', 'm=audio 45357 UDP/TLS/RTP/SAVPF 109', 'a=mid:0', 'm=video 0 UDP/TLS/RTP/SAVPF 120', 'a=bundle-only', 'a=mid:1', 'm=application 0 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:2', '');
    expect(bundleOnlyAsBundled(sdp)).toBe(lines('v=0', 't=0 0', 'm=audio 45357 UDP/TLS/RTP/SAVPF 109', 'a=mid:0', 'm=video 9 UDP/TLS/RTP/SAVPF 120', 'a=mid:1', 'm=application 0 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:2', ''));
  });
});
