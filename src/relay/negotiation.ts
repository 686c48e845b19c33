// Small werift helpers: wait for ICE gathering (no trickle ICE on our legs) and bounded waits.
import type { RTCPeerConnection } from 'werift';

/** Resolve once ICE gathering is complete (or after `timeoutMs`, with whatever candidates there are). */
export function gatheringComplete(pc: RTCPeerConnection, timeoutMs = 5000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    const sub = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') done();
    });
    function done() {
      clearTimeout(timer);
      sub.unSubscribe();
      resolve();
    }
  });
}

/** The local SDP once gathering is done. */
export async function localSdp(pc: RTCPeerConnection): Promise<string> {
  await gatheringComplete(pc);
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('no local description');
  return sdp;
}
