// SDP differences between werift and browsers, smoothed over at the relay's edge.

/**
 * werift writes `a=ice-lite` into each media section; RFC 8839 makes it a session-level attribute, and Firefox
 * reads it only there. Without it Firefox answers as the controlled agent, the relay's ICE-lite agent answers its
 * checks with 487 (role conflict) and the connection never forms. Move it to the session level.
 */
export function iceLiteAtSessionLevel(sdp: string): string {
  const lines = sdp.split(/\r?\n/);
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  if (firstMedia < 0 || !lines.some((l) => l === 'a=ice-lite')) return sdp;
  const session = lines.slice(0, firstMedia).filter((l) => l !== 'a=ice-lite');
  const media = lines.slice(firstMedia).filter((l) => l !== 'a=ice-lite');
  // After the session's t= line (where the session-level attributes begin).
  const t = session.findIndex((l) => l.startsWith('t='));
  session.splice(t >= 0 ? t + 1 : session.length, 0, 'a=ice-lite');
  return [...session, ...media].join('\r\n');
}

/**
 * Firefox offers every bundled m-line after the first as `bundle-only` with port 0 (RFC 8843). werift reads port 0
 * as a rejected m-line and never reports its track, so Firefox's camera would be dropped. The relay bundles
 * everything anyway: give those m-lines the usual placeholder port 9.
 */
export function bundleOnlyAsBundled(sdp: string): string {
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('m=') && line.split(' ')[1] === '0') {
      const end = lines.findIndex((l, j) => j > i && l.startsWith('m='));
      const section = lines.slice(i + 1, end < 0 ? lines.length : end);
      if (section.includes('a=bundle-only')) {
        const [head, , ...rest] = line.split(' ');
        out.push([head, '9', ...rest].join(' '));
        continue;
      }
    }
    if (line === 'a=bundle-only') continue;
    out.push(line);
  }
  return out.join('\r\n');
}

/**
 * werift matches codecs by name, so its answer echoes every H.264 variant a browser offers (High profile,
 * packetization mode 0, …). Keep the ones every viewer can take: baseline profiles (42xxxx) in packetization
 * mode 1. Other payload types leave the m= line with their rtpmap, fmtp and rtcp-fb lines.
 */
export function keepBaselineH264(sdp: string): string {
  const lines = sdp.split(/\r?\n/);
  const drop = new Set<string>();
  const h264 = lines.map((l) => /^a=rtpmap:(\d+) H264\/90000/i.exec(l)?.[1]).filter((pt): pt is string => !!pt);
  for (const pt of h264) {
    const fmtp = lines.find((l) => l.startsWith(`a=fmtp:${pt} `)) ?? '';
    const mode1 = /packetization-mode=1/.test(fmtp);
    const baseline = /profile-level-id=42/i.test(fmtp);
    if (!mode1 || !baseline) drop.add(pt);
  }
  if (drop.size === 0) return sdp;
  return lines
    .filter((l) => {
      const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(l);
      return !(m && drop.has(m[1]!));
    })
    .map((l) => (l.startsWith('m=video') ? l.split(' ').filter((f, i) => i < 3 || !drop.has(f)).join(' ') : l))
    .join('\r\n');
}

/**
 * Chromium sends a simulcast track's upper layers only once its bandwidth estimate covers them, and without
 * transport-cc on the publishing leg (RELAY.md: werift's feedback made Chromium's estimate collapse) it starts at
 * 300 kbit/s, enough for the lowest layer alone. `x-google-start-bitrate` in the answer's video fmtp makes it start
 * at `kbps`. Only video sections that accepted simulcast (a=simulcast) are touched; other browsers ignore it.
 */
export function simulcastStartBitrate(sdp: string, kbps = 2000): string {
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    const simulcast = section[0]?.startsWith('m=video') && section.some((l) => l.startsWith('a=simulcast:'));
    if (!simulcast) return void out.push(...section);
    const param = `x-google-start-bitrate=${kbps}`;
    const video = section
      .map((l) => /^a=rtpmap:(\d+) (VP8|H264)\//i.exec(l)?.[1])
      .filter((pt): pt is string => pt !== undefined);
    for (const l of section) {
      const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(l);
      if (fmtp && video.includes(fmtp[1]!)) out.push(fmtp[2]!.includes('x-google-start-bitrate') ? l : `${l};${param}`);
      else out.push(l);
      const rtpmap = /^a=rtpmap:(\d+) /.exec(l)?.[1];
      if (rtpmap && video.includes(rtpmap) && !section.some((x) => x.startsWith(`a=fmtp:${rtpmap} `))) out.push(`a=fmtp:${rtpmap} ${param}`);
    }
  };
  for (const l of lines) {
    if (l.startsWith('m=')) {
      flush();
      section = [];
    }
    section.push(l);
  }
  flush();
  return out.join('\r\n');
}
