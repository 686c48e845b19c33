// The relay's media side, played by a second Chromium page for tests of the join page without the relay:
// it answers the page's publish offer and offers it sendonly m-lines (a fake camera) to subscribe to.
// Browser code, served as /peer.js by the fake relay; its API is typed below for page.evaluate().
import type { Browser, Page } from 'playwright-core';

export interface RelayPeerApi {
  /** Answer a publish offer from the join page; the full answer SDP (gathering complete). */
  answerPublish(offerSdp: string): Promise<string>;
  /** Bytes received so far on the publish leg, per kind. */
  receivedBytes(): Promise<{ audio: number; video: number }>;
  /** Add `pairs` audio+video sendonly m-lines (a fake camera) and return the full offer with every m-line's mid. */
  offer(pairs: number): Promise<{ sdp: string; mids: Array<{ mid: string; kind: 'audio' | 'video' }> }>;
  /** Apply the join page's answer to the last offer. */
  accept(answerSdp: string): Promise<void>;
  /** Close the subscribing connection and forget it: the next offer() is on a new one (a relay's restart). */
  restartSubscriber(): void;
  /** Close both connections, as a relay that lost its state would. */
  close(): void;
}

export interface PeerWindow {
  relayPeer: RelayPeerApi;
}

/**
 * Open the relay's media side for `page` in a context (window) of its own, so neither page is a throttled
 * background tab; it closes with the page's context.
 */
export async function openPeerPage(browser: Browser, page: Page): Promise<Page> {
  const peer = await (await browser.newContext()).newPage();
  // When the whole browser is closing, closing the peer's context may fail: ignore it.
  page.context().on('close', () => void peer.context().close().catch((err: unknown) => err));
  await peer.goto(`${new URL(page.url()).origin}/peer`);
  return peer;
}

/** Answer the page's publish offer from the peer page. */
export function answerPublish(peer: Page, offerSdp: string): Promise<string> {
  return peer.evaluate((offer) => (globalThis as unknown as PeerWindow).relayPeer.answerPublish(offer), offerSdp);
}

export const PEER_PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>peer</title><script src="/peer.js"></script>';

export const PEER_PAGE_JS = `
const gathered = (pc) => new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
});
let pub = null, sub = null, camera = null;
window.relayPeer = {
  async answerPublish(sdp) {
    pub = new RTCPeerConnection();
    await pub.setRemoteDescription({ type: 'offer', sdp });
    await pub.setLocalDescription(await pub.createAnswer());
    await gathered(pub);
    return pub.localDescription.sdp;
  },
  async receivedBytes() {
    const out = { audio: 0, video: 0 };
    (await pub.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') out[s.kind] += s.bytesReceived || 0; });
    return out;
  },
  async offer(pairs) {
    camera = camera || await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    sub = sub || new RTCPeerConnection();
    for (let i = 0; i < pairs; i++) {
      for (const kind of ['audio', 'video']) {
        const track = camera.getTracks().find((t) => t.kind === kind).clone();
        sub.addTransceiver(track, { direction: 'sendonly' });
      }
    }
    await sub.setLocalDescription(await sub.createOffer());
    await gathered(sub);
    return { sdp: sub.localDescription.sdp, mids: sub.getTransceivers().map((t) => ({ mid: t.mid, kind: t.sender.track.kind })) };
  },
  async accept(sdp) {
    await sub.setRemoteDescription({ type: 'answer', sdp });
  },
  restartSubscriber() {
    if (sub) sub.close();
    sub = null;
  },
  close() {
    for (const pc of [pub, sub]) if (pc) pc.close();
  },
};
`;
