// Puts one stream's RTP packets back in sequence order for a recording: holds them up to `holdMs` so late ones
// (reordered, or re-sent after a NACK) take their place; a packet still missing after that is given up, and the
// caller is told (video then waits for a keyframe, so no broken frame is written).
import type { RtpPacket } from 'werift';

export interface JitterBufferOptions {
  /** How long a gap may wait for its packet, ms (default 200). */
  readonly holdMs?: number;
  readonly deliver: (packet: RtpPacket) => void;
  /** This many packets were given up (video then waits for a keyframe). */
  readonly onLoss?: (lost: number) => void;
  readonly now?: () => number;
}

export class JitterBuffer {
  readonly #hold: number;
  readonly #deliver: (packet: RtpPacket) => void;
  readonly #onLoss: (lost: number) => void;
  readonly #now: () => number;
  /** Held packets by extended sequence number, with their arrival times. */
  readonly #held = new Map<number, { packet: RtpPacket; at: number }>();
  #next: number | undefined;
  #highest = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  delivered = 0;
  lost = 0;

  constructor(opts: JitterBufferOptions) {
    this.#hold = opts.holdMs ?? 200;
    this.#deliver = opts.deliver;
    this.#onLoss = opts.onLoss ?? (() => undefined);
    this.#now = opts.now ?? Date.now;
  }

  /** The 16-bit number as the extended number closest to the highest seen. */
  #extend(seq: number): number {
    if (this.#next === undefined) return seq;
    const base = this.#highest;
    const candidate = (base & ~0xffff) | seq;
    if (candidate - base > 0x8000) return candidate - 0x10000;
    if (base - candidate > 0x8000) return candidate + 0x10000;
    return candidate;
  }

  push(packet: RtpPacket): void {
    if (this.#closed) return;
    const ext = this.#extend(packet.header.sequenceNumber);
    if (this.#next === undefined) {
      this.#next = ext;
      this.#highest = ext;
    }
    if (ext < this.#next || this.#held.has(ext)) return; // too late, or a duplicate
    this.#highest = Math.max(this.#highest, ext);
    this.#held.set(ext, { packet, at: this.#now() });
    this.#drain();
  }

  #drain(): void {
    for (;;) {
      const head = this.#held.get(this.#next!);
      if (head) {
        this.#held.delete(this.#next!);
        this.#next!++;
        this.delivered++;
        this.#deliver(head.packet);
        continue;
      }
      if (this.#held.size === 0) break;
      // A gap: give it up once the oldest held packet has waited long enough.
      const oldest = Math.min(...[...this.#held.values()].map((h) => h.at));
      const wait = oldest + this.#hold - this.#now();
      if (wait > 0) {
        this.#schedule(wait);
        break;
      }
      const nextHeld = Math.min(...this.#held.keys());
      const lost = nextHeld - this.#next!;
      this.lost += lost;
      this.#next = nextHeld;
      this.#onLoss(lost);
    }
  }

  #schedule(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, ms);
    this.#timer.unref();
  }

  /** Deliver everything still held, in order (the recording is stopping). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const ext of [...this.#held.keys()].sort((a, b) => a - b)) this.#deliver(this.#held.get(ext)!.packet);
    this.#held.clear();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#held.clear();
  }
}
