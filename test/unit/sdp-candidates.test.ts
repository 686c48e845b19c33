import { describe, expect, it } from 'vitest';
import { keepUsableCandidates } from '../../src/relay/sdp-candidates.js';

const sdp = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=candidate:1 1 udp 2122194687 127.0.0.1 51237 typ host generation 0',
  'a=candidate:2 1 udp 2122063615 192.168.1.23 56199 typ host generation 0',
  'a=candidate:3 1 udp 2122267903 ::1 42031 typ host generation 0',
  'a=candidate:4 1 tcp 1518214911 192.168.1.23 9 typ host tcptype active generation 0',
  'a=candidate:5 1 udp 2122260223 3f8c1b2e-5c1d-4f3a-9b1e-2a6d1c9e0f11.local 50000 typ host generation 0',
  'a=setup:actpass',
].join('\r\n');

describe('remote candidates the relay keeps', () => {
  it('keeps only UDP IPv4 LAN candidates for a relay announced on the LAN', () => {
    const out = keepUsableCandidates(sdp, '192.168.1.10');
    expect(out.match(/a=candidate:\d/g)).toEqual(['a=candidate:2']);
    expect(out).toContain('a=setup:actpass');
  });

  it('keeps only loopback candidates for a relay on loopback', () => {
    expect(keepUsableCandidates(sdp, '127.0.0.1').match(/a=candidate:\d/g)).toEqual(['a=candidate:1']);
  });
});
