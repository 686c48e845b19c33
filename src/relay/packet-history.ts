// The last N RTP packets of one stream by sequence number, to answer NACKs past werift's own 128.
import type { RtpPacket } from 'werift';

export class PacketHistory {
  readonly #slots: (RtpPacket | undefined)[];
  readonly size: number;

  constructor(size = 1024) {
    this.size = size;
    this.#slots = new Array<RtpPacket | undefined>(size);
  }

  put(packet: RtpPacket): void {
    this.#slots[packet.header.sequenceNumber % this.size] = packet;
  }

  get(sequenceNumber: number): RtpPacket | undefined {
    const p = this.#slots[sequenceNumber % this.size];
    return p && p.header.sequenceNumber === sequenceNumber ? p : undefined;
  }
}
