// Cascade, the people side: someone at a school relay who raises a hand, takes a seat, writes in the discussion
// or speaks is represented upstream by a proxy — an ordinary participant of the upstream session joined with
// `proxy: true` (listed, acting, but sent no media: the school relay already receives the program once). The
// upstream host sees and grants them like anyone; a local speaker's tracks are published upward through the
// proxy, fed from the school relay's own copy of them. Proxies are made when first needed and closed when the
// person leaves.
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { ParticipantClient } from '../client/participant-client.js';
import { logger } from '../core/log.js';
import type { LiveSession } from '../relay/live-session.js';
import type { MediaKind, PacketSource } from '../relay/packet-source.js';
import type { Participant } from '../relay/participant.js';

const log = logger('server:upstream');

export interface ProxyTarget {
  readonly url: string;
  readonly code: string;
  readonly ca?: string;
  readonly token?: string;
}

/** A local speaker's tracks, published upward through their proxy. */
class UpwardPublisher {
  readonly #stops: (() => void)[] = [];
  #closed = false;

  constructor(readonly sources: ReadonlyMap<MediaKind, PacketSource>) {}

  async start(proxy: ParticipantClient): Promise<void> {
    const tracks = new Map<MediaKind, MediaStreamTrack>();
    for (const kind of this.sources.keys()) tracks.set(kind, new MediaStreamTrack({ kind }));
    await proxy.publish({ ...(tracks.has('audio') ? { audio: tracks.get('audio')! } : {}), ...(tracks.has('video') ? { video: tracks.get('video')! } : {}) });
    if (this.#closed) return;
    for (const [kind, source] of this.sources) {
      const track = tracks.get(kind)!;
      // werift's sender rewrites the header it is given: each packet goes up as a copy of its own.
      this.#stops.push(source.subscribe((p) => {
        const h = p.header;
        track.writeRtp(new RtpPacket(new RtpHeader({ marker: h.marker, payloadType: h.payloadType, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: h.ssrc, extensions: [] }), p.payload));
      }));
    }
    proxy.onKeyframeRequest(() => this.sources.get('video')?.requestKeyframe());
    this.sources.get('video')?.requestKeyframe();
  }

  close(): void {
    this.#closed = true;
    for (const stop of this.#stops.splice(0)) stop();
  }
}

export class UpstreamProxies {
  readonly #target: ProxyTarget;
  readonly #session: () => LiveSession;
  /** By local peer id. */
  readonly #proxies = new Map<string, Promise<ParticipantClient>>();
  readonly #ready = new Map<string, ParticipantClient>();
  readonly #upward = new Map<string, UpwardPublisher>();

  constructor(target: ProxyTarget, session: () => LiveSession) {
    this.#target = target;
    this.#session = session;
  }

  #connect(name: string, venue: string, hostKey?: string): Promise<ParticipantClient> {
    return ParticipantClient.connect({
      relay: this.#target.url, code: this.#target.code, name, venue, proxy: true, connectTimeoutMs: 5000,
      ...(hostKey ? { hostKey } : {}), ...(this.#target.ca ? { ca: this.#target.ca } : {}), ...(this.#target.token ? { relayToken: this.#target.token } : {}),
    });
  }

  /** A host joining here: their proxy joins upstream with the host key first (a wrong key is refused there). */
  admitHost(name: string, venue: string, hostKey: string): Promise<ParticipantClient> {
    return this.#connect(name, venue, hostKey);
  }

  /** The admitted host's proxy now acts for the local participant `p`. */
  adopt(p: Participant, client: ParticipantClient): void {
    this.#proxies.set(p.id, Promise.resolve(client));
    this.#wire(p, client);
  }

  /** The proxy acting for a local participant (joined upstream on first use). */
  for(p: Participant): Promise<ParticipantClient> {
    let pending = this.#proxies.get(p.id);
    if (!pending) {
      pending = this.#connect(p.name, p.venue);
      this.#proxies.set(p.id, pending);
      pending.then((client) => this.#wire(p, client), () => this.#proxies.delete(p.id));
    }
    return pending;
  }

  #wire(p: Participant, client: ParticipantClient): void {
    this.#ready.set(p.id, client);
    const session = () => this.#session();
    client.on('seat', (granted) => {
      session().applyUpstreamSeat(p, granted);
      if (!granted) this.#stopUpward(p.id);
    });
    client.on('mutedByHost', (kind) => session().muteParticipant(p, kind));
    client.on('ended', (reason) => {
      if (reason === 'removed') session().removeParticipant(p);
    });
    client.on('closed', () => {
      if (this.#ready.get(p.id) !== client) return;
      this.#ready.delete(p.id);
      this.#proxies.delete(p.id);
      this.#stopUpward(p.id);
    });
  }

  /** Local peer id → upstream peer id, for the people acting through a proxy. */
  upstreamIds(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [localId, client] of this.#ready) out.set(localId, client.joined.peerId);
    return out;
  }

  /** Upstream peer id → local peer id, for the people acting through a proxy. */
  localIds(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [localId, client] of this.#ready) out.set(client.joined.peerId, localId);
    return out;
  }

  /** Follow the local speakers: publish upward whoever holds a seat and publishes here; stop for the others. */
  sync(): void {
    const session = this.#session();
    for (const [id, client] of this.#ready) {
      const p = session.participants.get(id);
      const sources = new Map<MediaKind, PacketSource>(p?.publications ?? []);
      const up = this.#upward.get(id);
      const same = up && sources.size === up.sources.size && [...sources].every(([k, s]) => up.sources.get(k) === s);
      if (!p || (!p.seat && p.role !== 'host') || sources.size === 0) {
        if (up) this.#stopUpward(id, client);
        continue;
      }
      if (same) continue;
      if (up) this.#stopUpward(id, client);
      const next = new UpwardPublisher(sources);
      this.#upward.set(id, next);
      next.start(client).catch((err: unknown) => log('publishing %s upward failed: %O', p.name, err));
    }
  }

  #stopUpward(id: string, client?: ParticipantClient): void {
    const up = this.#upward.get(id);
    if (!up) return;
    up.close();
    this.#upward.delete(id);
    client?.send({ type: 'unpublish' });
  }

  /** A local participant left: their proxy leaves too. */
  release(id: string): void {
    this.#stopUpward(id);
    const pending = this.#proxies.get(id);
    this.#proxies.delete(id);
    this.#ready.delete(id);
    pending?.then((c) => c.close(), () => undefined);
  }

  close(): void {
    for (const id of [...this.#proxies.keys()]) this.release(id);
  }
}
