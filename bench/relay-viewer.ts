// One benchmark viewer: joins over the WebSocket like any client and answers the relay's subscribe offer with a
// werift peer. `full` viewers decrypt and read every packet (and its send time, for latency); `count` viewers,
// once connected, take werift's SRTP stack off the socket and only read the clear RTP header of each datagram,
// so the viewer side costs little and the relay saturates first. The relay does the same work for both.
import { RTCPeerConnection } from 'werift';
import WebSocket from 'ws';
import { clientPeerConfig } from '../src/relay/media-config.js';
import { localSdp } from '../src/relay/negotiation.js';
import { serverMessage, type ClientMessage, type ServerMessage } from '../src/signaling/protocol.js';
import { sendTimeOf } from './relay-publisher.js';

export type Kind = 'audio' | 'video';

/** Packets of one stream in the current window: received, duplicates, and the span of sequence numbers. */
export class SeqStats {
  received = 0;
  duplicates = 0;
  readonly #seen = new Uint8Array(65536);
  #first: number | undefined;
  #highest = 0;

  add(seq: number): void {
    if (this.#seen[seq]) {
      this.duplicates++;
      return;
    }
    this.#seen[seq] = 1;
    this.received++;
    if (this.#first === undefined) {
      this.#first = this.#highest = seq;
      return;
    }
    const delta = (seq - (this.#highest & 0xffff)) & 0xffff;
    const ext = delta < 0x8000 ? this.#highest + delta : this.#highest - (0x10000 - delta);
    if (ext > this.#highest) this.#highest = ext;
    if (ext < this.#first) this.#first = ext;
  }

  /** Packets between the first and the highest sequence number seen (RFC 3550's "expected"). */
  get expected(): number {
    return this.#first === undefined ? 0 : this.#highest - this.#first + 1;
  }
}

export interface ViewerReport {
  readonly received: Record<Kind, number>;
  readonly expected: Record<Kind, number>;
  readonly duplicates: number;
  /** One-way latency samples in ms (full viewers only). */
  readonly latencies: number[];
}

export interface ViewerOptions {
  readonly relay: string;
  readonly ca: string;
  readonly code: string;
  readonly name: string;
  readonly mode: 'full' | 'count';
}

export class BenchViewer {
  readonly #ws: WebSocket;
  readonly #opts: ViewerOptions;
  #pc: RTCPeerConnection | undefined;
  #answered: number | undefined;
  #stats: Record<Kind, SeqStats> = { audio: new SeqStats(), video: new SeqStats() };
  #latencies: number[] = [];
  #measuring = false;
  #payloadTypes = new Map<number, Kind>();
  #waiter: { readonly done: () => boolean; readonly resolve: () => void; readonly reject: (err: Error) => void } | undefined;
  #error: Error | undefined;

  private constructor(ws: WebSocket, opts: ViewerOptions) {
    this.#ws = ws;
    this.#opts = opts;
  }

  /** Join, answer the subscribe offer, and resolve once the subscribing connection is up (no media needed). */
  static async connect(opts: ViewerOptions, timeoutMs = 60_000): Promise<BenchViewer> {
    const ws = new WebSocket(`${opts.relay.replace(/^http/, 'ws')}/ws`, { ca: opts.ca });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const v = new BenchViewer(ws, opts);
    ws.on('message', (data) => v.#onMessage(data.toString()));
    ws.on('close', (code) => v.#fail(new Error(`${opts.name}: signaling closed (${code})`)));
    v.#send({ type: 'join', code: opts.code, name: opts.name, venue: opts.name });
    await v.#until(() => v.#pc?.connectionState === 'connected', 'connection', timeoutMs);
    return v;
  }

  /** Resolve once audio and video packets have arrived (video starts on a keyframe). */
  media(timeoutMs = 30_000): Promise<void> {
    return this.#until(() => this.#stats.audio.received > 0 && this.#stats.video.received > 0, 'media', timeoutMs);
  }

  #until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error(`${this.#opts.name}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.#waiter = undefined;
      };
      this.#waiter = { done, resolve: () => (settle(), resolve()), reject: (err) => (settle(), reject(err)) };
    });
  }

  #check(): void {
    if (this.#waiter?.done()) this.#waiter.resolve();
  }

  #fail(err: Error): void {
    if (this.#closing) return;
    this.#error ??= err;
    this.#waiter?.reject(err);
  }

  #closing = false;

  #send(m: ClientMessage): void {
    this.#ws.send(JSON.stringify(m));
  }

  #onMessage(text: string): void {
    const m = serverMessage.parse(JSON.parse(text));
    if (m.type === 'error') this.#fail(new Error(`${this.#opts.name}: relay error ${m.code}: ${m.message}`));
    // The relay re-sends the same offer version when only the labels change: answer each version once.
    if (m.type === 'subscribeOffer' && m.version !== this.#answered) {
      this.#answered = m.version;
      this.#answer(m).catch((err: unknown) => this.#fail(err instanceof Error ? err : new Error(String(err))));
    }
  }

  async #answer(m: Extract<ServerMessage, { type: 'subscribeOffer' }>): Promise<void> {
    for (const [, pt, codec] of m.sdp.matchAll(/a=rtpmap:(\d+) (opus|VP8)\//gi)) this.#payloadTypes.set(Number(pt), codec!.toLowerCase() === 'opus' ? 'audio' : 'video');
    if (!this.#pc) {
      const pc = new RTCPeerConnection(clientPeerConfig(new URL(this.#opts.relay).hostname));
      this.#pc = pc;
      if (this.#opts.mode === 'full') {
        pc.onTrack.subscribe((track) => {
          const kind = track.kind as Kind;
          track.onReceiveRtp.subscribe((p) => this.#packet(kind, p.header.sequenceNumber, p.payload));
        });
      }
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected' && this.#opts.mode === 'count') this.#countOnly(pc);
        if (state === 'failed') {
          const dtls = pc.dtlsTransports.map((t) => t.state).join('/');
          this.#fail(new Error(`${this.#opts.name}: connection failed (ICE ${pc.iceConnectionState}, DTLS ${dtls})`));
        }
        this.#check();
      });
    }
    const pc = this.#pc;
    await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    this.#send({ type: 'subscribeAnswer', sdp: await localSdp(pc), version: m.version });
  }

  /** Replace werift's receive path (DTLS, SRTP, RTP parsing) by a look at each datagram's clear RTP header. */
  #countOnly(pc: RTCPeerConnection): void {
    for (const t of pc.dtlsTransports) {
      const ice = t.iceTransport.connection;
      ice.onData.allUnsubscribe();
      ice.onData.subscribe((data) => {
        if (data.length < 12 || data[1]! >= 192 && data[1]! <= 223) return; // RTCP (RFC 5761)
        const kind = this.#payloadTypes.get(data[1]! & 0x7f);
        if (kind) this.#packet(kind, data.readUInt16BE(2));
      });
    }
  }

  #packet(kind: Kind, seq: number, payload?: Buffer): void {
    this.#stats[kind].add(seq);
    if (this.#measuring && payload) {
      const sent = sendTimeOf(payload, kind);
      if (sent !== undefined) this.#latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
    }
    if (this.#waiter) this.#check();
  }

  /** Start a measurement window. */
  mark(): void {
    this.#stats = { audio: new SeqStats(), video: new SeqStats() };
    this.#latencies = [];
    this.#measuring = true;
  }

  report(): ViewerReport {
    const s = this.#stats;
    return {
      received: { audio: s.audio.received, video: s.video.received },
      expected: { audio: s.audio.expected, video: s.video.expected },
      duplicates: s.audio.duplicates + s.video.duplicates,
      latencies: this.#latencies,
    };
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#ws.close(1000, 'bench done');
    await this.#pc?.close();
  }
}
