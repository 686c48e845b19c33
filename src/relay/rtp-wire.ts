// The last step of a viewer leg: one RTP packet, SRTP-protected, handed to the UDP socket of the leg's nominated ICE
// pair, synchronously. werift's own path (RTCDtlsTransport.sendRtp) goes through four async functions per packet
// (a promise and a microtask each), formats the SRTP nonce through a generic field writer and concatenates the
// result twice; Node's dgram then defers every send to the next tick to "resolve" an address that is already an IP.
// At 150 viewers that overhead was a fifth of the relay's CPU. This wire:
//   - encrypts AES-128-GCM (RFC 7714, the profile werift prefers) itself, with werift's session key, salt and
//     rollover-counter state, straight into the datagram buffer; any other profile goes through werift's cipher;
//   - sends on the nominated pair's socket with an address lookup that answers synchronously for IP literals.
// Anything it does not recognise (TURN or TCP pairs, no SRTP yet) makes `send` return false: the caller falls
// back to werift's path, so the fast path can only remove work, never packets.
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { RtpHeader } from 'werift';
import { GcmSealer } from './gcm-sealer.js';

const RTP_HEADER_BYTES = 12;
const GCM_TAG_BYTES = 16;

interface RolloverState {
  rolloverCounter: number;
}

interface SrtpContextInternals {
  cipher: { aeadAuthTagLen?: number; srtpSessionKey?: Buffer; srtpSessionSalt?: Buffer };
  getSrtpSsrcState(ssrc: number): RolloverState;
  updateRolloverCount(sequenceNumber: number, state: RolloverState): void;
  encryptRtp(payload: Buffer, header: RtpHeader): Buffer;
}

interface IcePairInternals {
  protocol: { transport?: { socket?: unknown; closed?: boolean }; turn?: unknown };
  remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
}

/** The parts of werift's RTCDtlsTransport this wire reads (werift 0.24, pinned). */
export interface DtlsTransportInternals {
  srtp?: { localContext?: SrtpContextInternals };
  iceTransport?: { connection?: { nominated?: IcePairInternals; canSendApplicationData(): boolean } };
  bytesSent: number;
  packetsSent: number;
}

/** The 12-byte RTP fixed header (V=2, no padding, extensions or CSRCs) at the start of `out`. */
export function writeRtpHeader(out: Buffer, sequenceNumber: number, timestamp: number, marker: boolean, payloadType: number, ssrc: number): void {
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out.writeUInt16BE(sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(timestamp >>> 0, 4);
  out.writeUInt32BE(ssrc >>> 0, 8);
}

/**
 * SRTP AES-128-GCM (RFC 7714 §8): nonce = (0x0000 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt, the header as associated data,
 * the payload encrypted, a 16-byte tag appended. `out` holds the header at [0,12); the result is written after it.
 */
export function sealGcm(out: Buffer, payload: Buffer, key: Buffer, salt: Buffer, ssrc: number, roc: number, sequenceNumber: number, nonce: Buffer): void {
  nonce.writeUInt16BE(0, 0);
  nonce.writeUInt32BE(ssrc >>> 0, 2);
  nonce.writeUInt32BE(roc >>> 0, 6);
  nonce.writeUInt16BE(sequenceNumber & 0xffff, 10);
  for (let i = 0; i < 12; i++) nonce[i]! ^= salt[i]!;
  (sealer ??= new GcmSealer()).seal(out, RTP_HEADER_BYTES, payload, key, nonce);
}

/** One for the process: packets are sealed one at a time, synchronously. */
let sealer: GcmSealer | undefined;

const patchedSockets = new WeakSet<object>();

/**
 * Make `socket.send(buf, port, ip)` send at once instead of on the next tick: Node asks dns.lookup even for an
 * IP literal, which answers through process.nextTick. Names still go through the original lookup.
 */
function sendSynchronously(socket: Socket): void {
  if (patchedSockets.has(socket)) return;
  patchedSockets.add(socket);
  const stateKey = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = stateKey ? (socket as unknown as Record<symbol, { handle?: { lookup?: unknown } }>)[stateKey] : undefined;
  const handle = state?.handle;
  const original = handle?.lookup;
  if (!handle || typeof original !== 'function') return;
  handle.lookup = (address: string, callback: (err: Error | null, ip?: string) => void) => {
    if (isIP(address)) callback(null, address);
    else (original as (a: string, c: typeof callback) => void).call(handle, address, callback);
  };
}

function isDgramSocket(value: unknown): value is Socket {
  return typeof value === 'object' && value !== null && typeof (value as Socket).send === 'function' && typeof (value as Socket).address === 'function';
}

export class RtpWire {
  readonly #transport: DtlsTransportInternals;
  #context: SrtpContextInternals | undefined;
  #gcm: { key: Buffer; salt: Buffer } | undefined;
  #pair: IcePairInternals | undefined;
  #socket: Socket | undefined;
  readonly #nonce = Buffer.alloc(12);
  readonly #header: RtpHeader | undefined;

  /** `header` is a werift RtpHeader used only when the negotiated profile is not AES-GCM. */
  constructor(transport: unknown, header?: RtpHeader) {
    this.#transport = transport as DtlsTransportInternals;
    this.#header = header;
  }

  /** Protect and send one packet; false when this leg cannot take the fast path right now (nothing was sent). */
  send(sequenceNumber: number, timestamp: number, marker: boolean, payloadType: number, ssrc: number, payload: Buffer): boolean {
    const context = this.#transport.srtp?.localContext;
    const connection = this.#transport.iceTransport?.connection;
    if (!context || !connection || !connection.canSendApplicationData()) return false;
    if (context !== this.#context) this.#useContext(context);
    const pair = connection.nominated!;
    if (pair !== this.#pair) this.#usePair(pair);
    const socket = this.#socket;
    if (!socket || pair.protocol.transport?.closed) return false;

    const state = context.getSrtpSsrcState(ssrc);
    context.updateRolloverCount(sequenceNumber & 0xffff, state);
    let datagram: Buffer;
    if (this.#gcm) {
      datagram = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length + GCM_TAG_BYTES);
      writeRtpHeader(datagram, sequenceNumber, timestamp, marker, payloadType, ssrc);
      sealGcm(datagram, payload, this.#gcm.key, this.#gcm.salt, ssrc, state.rolloverCounter, sequenceNumber, this.#nonce);
    } else {
      const h = this.#header;
      if (!h) return false;
      h.sequenceNumber = sequenceNumber & 0xffff;
      h.timestamp = timestamp >>> 0;
      h.marker = marker;
      h.payloadType = payloadType;
      h.ssrc = ssrc;
      datagram = this.#werift(context, payload, h, state);
    }
    socket.send(datagram, pair.remoteAddr[1], pair.remoteAddr[0]);
    this.#transport.bytesSent += datagram.length;
    this.#transport.packetsSent++;
    pair.packetsSent++;
    pair.bytesSent += datagram.length;
    return true;
  }

  #werift(context: SrtpContextInternals, payload: Buffer, header: RtpHeader, state: RolloverState): Buffer {
    // werift's cipher, with the rollover counter already advanced above (its encryptRtp would advance it again).
    return (context.cipher as unknown as { encryptRtp(h: RtpHeader, p: Buffer, roc: number): Buffer }).encryptRtp(header, payload, state.rolloverCounter);
  }

  #useContext(context: SrtpContextInternals): void {
    this.#context = context;
    const { aeadAuthTagLen, srtpSessionKey, srtpSessionSalt } = context.cipher;
    // werift derives a 14-byte session salt for either profile; GCM's nonce uses its first 12 bytes.
    this.#gcm =
      aeadAuthTagLen === GCM_TAG_BYTES && srtpSessionKey?.length === 16 && srtpSessionSalt && srtpSessionSalt.length >= 12
        ? { key: srtpSessionKey, salt: srtpSessionSalt }
        : undefined;
  }

  #usePair(pair: IcePairInternals): void {
    this.#pair = pair;
    const socket = pair.protocol.turn === undefined ? pair.protocol.transport?.socket : undefined;
    this.#socket = isDgramSocket(socket) ? socket : undefined;
    if (this.#socket) sendSynchronously(this.#socket);
  }
}
