// The page's subscribing connection, as the relay's offers drive it: one Subscriber answers them, renegotiations
// included. A restart (`subscribeOffer.restart`: the relay replaced its side after a failure) closes it and answers on
// a new one — the page stays joined, the tiles get the new tracks. A connection that breaks otherwise (ICE down past
// the grace period) is reported, and the page rejoins as before.
import type { ServerMessage } from '../signaling/protocol.js';
import { Subscriber } from './media.js';
import { watchIce } from './rtc.js';

type Offer = Extract<ServerMessage, { type: 'subscribeOffer' }>;

export interface SubscriptionHooks {
  /** Tracks arrived or the stream labels changed. */
  layout(): void;
  /** Send the answer to offer `version`. */
  answer(sdp: string, version: number): void;
  /** The offer could not be applied. */
  failed(err: unknown): void;
  /** The current connection broke (ICE disconnected or failed for longer than the grace period). */
  broken(): void;
}

export class Subscription {
  #current: Subscriber | null = null;
  #unwatch: (() => void) | undefined;

  constructor(private readonly hooks: SubscriptionHooks) {}

  /** The current connection, if any. */
  get subscriber(): Subscriber | null {
    return this.#current;
  }

  async handleOffer(offer: Offer): Promise<void> {
    // A relabel of the restart's own version comes without `restart`; an older version is stale either way.
    if (offer.restart && this.#current && offer.version > this.#current.version) this.close();
    const sub = this.#current ?? this.#open();
    try {
      const sdp = await sub.handleOffer(offer);
      if (sdp !== null && this.#current === sub) this.hooks.answer(sdp, offer.version);
    } catch (err) {
      console.warn('jiaoyan: subscribe offer failed', err);
      if (this.#current === sub) this.hooks.failed(err);
    }
  }

  #open(): Subscriber {
    const sub = new Subscriber(() => this.hooks.layout());
    this.#current = sub;
    this.#unwatch = watchIce(sub.pc, () => {
      if (this.#current === sub) this.hooks.broken();
    });
    return sub;
  }

  close(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#current?.close();
    this.#current = null;
  }
}
