// The write end of one viewer m-line: puts RTP on the wire through werift's DTLS/SRTP transport directly.
// werift's own RTCRtpSender.sendRtp does per-packet work a relay leg does not need (an NTP time formatted through
// a string, header-extension maps, a send-side estimator that sorts its whole history on every packet) and was the
// largest cost of a fan-out after SRTP itself. This writer keeps only what the leg needs: its SSRC and payload
// type, the counters werift's RTCP loop reads for sender reports, and a history of what it sent for NACKs.
import { RtpHeader, type RTCRtpCodecParameters, type RTCRtpSender } from 'werift';
import { logger } from '../core/log.js';
import { codecName, type CodecName } from './packet-source.js';
import { RtpWire } from './rtp-wire.js';

const log = logger('relay:leg');

/** What a sender report needs: the RTP timestamp last sent and the wall clock (NTP, 64-bit) it stands for. */
export interface SenderClock {
  ntp(): bigint;
}

/** NTP (seconds since 1900, 32.32 fixed point) for a Unix time in ms. */
export function ntpFromUnixMs(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + 2_208_988_800) << 32n) | BigInt(fraction >>> 0);
}

interface WeriftSenderInternals {
  ssrc: number;
  runRtcp(): void;
}

export class LegWriter {
  readonly sender: RTCRtpSender;
  readonly #size: number;
  // The sent history, without an object per packet: payloads are the publisher's (never mutated), the header
  // fields that differ per leg live in typed arrays indexed by sequence number.
  readonly #payloads: (Buffer | undefined)[];
  readonly #seqs: Int32Array;
  readonly #timestamps: Uint32Array;
  readonly #markers: Uint8Array;
  readonly #payloadTypes: Uint8Array;
  /** This leg's payload type per codec, from the negotiated codecs (rebuilt when they change). */
  readonly #codecs: () => readonly RTCRtpCodecParameters[];
  #codecsSeen: readonly RTCRtpCodecParameters[] | undefined;
  #pt = new Map<CodecName, number>();
  /** This leg's payload type for `audio/red` (RFC 2198), if the viewer accepted it. */
  #redPt: number | undefined;
  /** One header object, filled and serialised synchronously by each write (werift's encrypt copies it). */
  readonly #header = new RtpHeader({ extensions: [] });
  #wire: RtpWire | undefined;
  #wireTransport: unknown;
  #rtcpStarted = false;
  #lastTimestamp = 0;
  #packets = 0;
  #octets = 0;
  #clock: SenderClock | undefined;
  packets = 0;
  bytes = 0;

  constructor(sender: RTCRtpSender, codecs: () => readonly RTCRtpCodecParameters[], historySize = 2048) {
    this.sender = sender;
    this.#codecs = codecs;
    this.#payloadTypes = new Uint8Array(historySize);
    this.#size = historySize;
    this.#payloads = new Array<Buffer | undefined>(historySize);
    this.#seqs = new Int32Array(historySize).fill(-1);
    this.#timestamps = new Uint32Array(historySize);
    this.#markers = new Uint8Array(historySize);
    // werift's RTCP loop builds sender reports from these fields; serve them from this writer, computed only
    // when a report is due (a couple of times a second) instead of on every packet.
    const self = this;
    const ignore = () => undefined;
    Object.defineProperties(sender, {
      rtpTimestamp: { get: () => self.#lastTimestamp, set: ignore, configurable: true },
      packetCount: { get: () => self.#packets >>> 0, set: ignore, configurable: true },
      octetCount: { get: () => self.#octets >>> 0, set: ignore, configurable: true },
      ntpTimestamp: { get: () => self.#clock?.ntp() ?? ntpFromUnixMs(Date.now()), set: ignore, configurable: true },
    });
  }

  get connected(): boolean {
    return this.sender.dtlsTransport?.state === 'connected';
  }

  /** Where sender reports take their wall clock from (the publisher's, for lip-sync). */
  setClock(clock: SenderClock | undefined): void {
    this.#clock = clock;
  }

  /** The payload type this leg negotiated for `codec`, if the viewer accepted it. */
  payloadTypeOf(codec: CodecName): number | undefined {
    const list = this.#codecs();
    if (list !== this.#codecsSeen) this.#learn(list);
    return this.#pt.get(codec);
  }

  /** The payload type of audio redundancy (RED) on this leg, if negotiated. */
  get redPayloadType(): number | undefined {
    const list = this.#codecs();
    if (list !== this.#codecsSeen) this.#learn(list);
    return this.#redPt;
  }

  #learn(list: readonly RTCRtpCodecParameters[]): void {
    this.#codecsSeen = list;
    this.#pt = new Map();
    this.#redPt = undefined;
    for (const c of list) {
      const name = codecName(c.mimeType);
      if (name && !this.#pt.has(name)) this.#pt.set(name, c.payloadType!);
      if (c.mimeType.toLowerCase() === 'audio/red') this.#redPt ??= c.payloadType;
    }
  }

  /** Whether this leg can carry `codec` (before it is negotiated: yes, the packet waits for the connection). */
  accepts(codec: CodecName): boolean {
    return this.#codecs().length === 0 || this.payloadTypeOf(codec) !== undefined;
  }

  /** Send one packet as this leg's own: its SSRC, its payload type for `codec`, the given number, timestamp and marker. */
  write(sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer, codec: CodecName): void {
    const payloadType = this.payloadTypeOf(codec);
    if (payloadType !== undefined) this.writeAs(sequenceNumber, timestamp, marker, payload, payloadType);
  }

  /** Send one packet with an explicit payload type of this leg (RED-wrapped audio). */
  writeAs(sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer, payloadType: number): void {
    const internals = this.sender as unknown as WeriftSenderInternals;
    if (!this.connected) return;
    const i = sequenceNumber % this.#size;
    this.#payloads[i] = payload;
    this.#seqs[i] = sequenceNumber;
    this.#timestamps[i] = timestamp;
    this.#markers[i] = marker ? 1 : 0;
    this.#payloadTypes[i] = payloadType;
    this.#lastTimestamp = timestamp;
    this.#packets++;
    this.#octets += payload.length;
    this.packets++;
    this.bytes += payload.length;
    this.#send(sequenceNumber, timestamp, marker, payload, internals.ssrc, payloadType);
    if (!this.#rtcpStarted) {
      this.#rtcpStarted = true;
      internals.runRtcp();
    }
  }

  /** Send again what this leg sent as `sequenceNumber`, if still in its history. */
  resend(sequenceNumber: number): boolean {
    const i = sequenceNumber % this.#size;
    const payload = this.#payloads[i];
    if (!payload || this.#seqs[i] !== sequenceNumber) return false;
    const internals = this.sender as unknown as WeriftSenderInternals;
    if (!this.connected) return false;
    this.#send(sequenceNumber, this.#timestamps[i]!, this.#markers[i] === 1, payload, internals.ssrc, this.#payloadTypes[i]!);
    return true;
  }

  #send(sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer, ssrc: number, payloadType: number): void {
    const transport = this.sender.dtlsTransport;
    if (transport !== this.#wireTransport) {
      this.#wireTransport = transport;
      this.#wire = new RtpWire(transport, this.#header);
    }
    if (this.#wire?.send(sequenceNumber, timestamp, marker, payloadType, ssrc, payload)) return;
    const h = this.#header;
    h.sequenceNumber = sequenceNumber;
    h.timestamp = timestamp;
    h.marker = marker;
    h.ssrc = ssrc;
    h.payloadType = payloadType;
    this.sender.dtlsTransport.sendRtp(payload, h).catch((err: unknown) => log('send failed: %O', err));
  }

  /** Forget the history (the m-line is closing). */
  clear(): void {
    this.#payloads.fill(undefined);
    this.#seqs.fill(-1);
  }
}
