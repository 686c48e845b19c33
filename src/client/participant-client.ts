// A headless participant (werift): joins by invite code over the WebSocket, receives what the relay offers,
// and can publish audio + video tracks. Used by `jiaoyan join`, tests and benchmarks.
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import WebSocket from 'ws';
import { TypedEmitter } from '../core/emitter.js';
import { remoteError, RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { clientPeerConfig } from '../relay/media-config.js';
import { localSdp } from '../relay/negotiation.js';
import { serverMessage, type ClientMessage, type ServerMessage, type StreamSlot, type VoiceNotice } from '../signaling/protocol.js';
import { Subscription, type ReceivedTrack } from './subscription.js';

export type { ReceivedTrack } from './subscription.js';

const log = logger('client');

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export interface ClientOptions {
  /** Relay base URL, e.g. https://192.168.1.10:8443 */
  readonly relay: string;
  readonly code: string;
  readonly name: string;
  readonly venue: string;
  readonly hostKey?: string;
  /** Join as a monitor: no media, not listed (status, chat, venue and seat commands). */
  readonly monitor?: boolean;
  /** Join for someone at a school relay (cascade): listed, may act and publish, but receives no media. */
  readonly proxy?: boolean;
  /** A school relay's token at the relay joined (cascade; see the protocol's `join.relayToken`). */
  readonly relayToken?: string;
  /** PEM of the relay's CA (from `jiaoyan relay ca`), trusted for wss://. */
  readonly ca?: string;
  /** Video codec of what this participant publishes (default VP8). */
  readonly publishVideo?: 'vp8' | 'h264';
  /** Video codecs it accepts from the relay (default both; a VP8-only recorder says 'vp8'). */
  readonly receiveVideo?: 'both' | 'vp8' | 'h264';
  /** werift's loss simulation on the receiving side (percent of packets KEPT, werift's convention), for tests. */
  readonly debugKeepPercent?: number;
  /** Give up connecting after this long (a cut link otherwise hangs until TCP gives up). Default 15 s. */
  readonly connectTimeoutMs?: number;
}

export type ClientEvents = {
  state: [Msg<'state'>];
  status: [Msg<'status'>];
  chat: [Msg<'chat'>['message']];
  /** A voice notice was added to the session. */
  notice: [VoiceNotice];
  /** The host granted (true) or revoked (false) a seat, or our own takeSeat was answered. */
  seat: [boolean];
  mutedByHost: ['audio' | 'video'];
  track: [ReceivedTrack];
  error: [Msg<'error'>];
  ended: [string];
  closed: [];
  /** Every message from the relay (documents: feed a DocReplica's `handle`). */
  message: [ServerMessage];
};

export class ParticipantClient extends TypedEmitter<ClientEvents> {
  readonly #ws: WebSocket;
  readonly #address: string;
  #keepPercent: number | undefined;
  #publishVideo: 'vp8' | 'h264' = 'vp8';
  #receiveVideo: 'both' | 'vp8' | 'h264' = 'both';
  /** What the relay sends us: the subscribing connection, replaced on a restart (subscription.ts). */
  readonly #subscription: Subscription;
  #publisher: RTCPeerConnection | undefined;
  #closed = false;
  joined!: Msg<'joined'>;
  lastState: Msg<'state'> | undefined;
  lastStatus: Msg<'status'> | undefined;
  /** The session's documents as the relay last listed them (it sends `docList` right after `joined`). */
  lastDocList: Msg<'docList'> | undefined;
  /** The discussion so far (history on join, then every new message). */
  readonly chat: Msg<'chat'>['message'][] = [];
  #chatHistory: Promise<void>;
  #chatHistoryArrived!: () => void;
  /** The session's voice notices, oldest first (the list sent after joining, then each new one). */
  readonly notices: VoiceNotice[] = [];
  #noticeList: Promise<void>;
  #noticeListArrived!: () => void;

  private constructor(ws: WebSocket, address: string) {
    super();
    this.#ws = ws;
    this.#address = address;
    this.#chatHistory = new Promise((resolve) => (this.#chatHistoryArrived = resolve));
    this.#noticeList = new Promise((resolve) => (this.#noticeListArrived = resolve));
    this.#subscription = new Subscription({
      config: () => ({
        // audio/red accepted: the relay adds redundancy to the audio while this participant's link loses packets.
        ...clientPeerConfig(this.#address, this.#receiveVideo, { red: true }),
        ...(this.#keepPercent !== undefined ? { debug: { inboundPacketLoss: this.#keepPercent } } : {}),
      }),
      send: (message) => this.send(message),
      onTrack: (t) => this.safeEmit('track', t),
    });
  }

  /** The tracks of the current subscribing connection (a restart replaces them). */
  get tracks(): readonly ReceivedTrack[] {
    return this.#subscription.tracks;
  }

  /** Packets received per mid, counted on across restarts (a new connection has the same m-lines). */
  get received(): ReadonlyMap<string, number> {
    return this.#subscription.received;
  }

  /** Subscribing connections so far (1 after the first offer; each restart adds one). */
  get connections(): number {
    return this.#subscription.connections;
  }

  /** Connect and join; rejects with RefusedError (exit 4) for a wrong code or key, RuntimeError when unreachable. */
  static async connect(opts: ClientOptions): Promise<ParticipantClient> {
    const base = new URL(opts.relay);
    const wsUrl = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/ws`;
    const ws = new WebSocket(wsUrl, { ...(opts.ca ? { ca: opts.ca } : {}), maxPayload: 1024 * 1024, handshakeTimeout: opts.connectTimeoutMs ?? 15_000 });
    const address = base.hostname === 'localhost' ? '127.0.0.1' : base.hostname.replace(/^\[|\]$/g, '');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (err) => reject(new RuntimeError('RELAY_UNREACHABLE', { url: opts.relay, detail: err.message })));
    });
    const client = new ParticipantClient(ws, address);
    client.#keepPercent = opts.debugKeepPercent;
    client.#publishVideo = opts.publishVideo ?? 'vp8';
    client.#receiveVideo = opts.receiveVideo ?? 'both';
    ws.on('message', (data) => client.#onMessage(data.toString()));
    ws.on('close', () => client.close());
    const joined = client.#next('joined');
    client.send({
      type: 'join', code: opts.code, name: opts.name, venue: opts.venue,
      ...(opts.hostKey ? { hostKey: opts.hostKey } : {}), ...(opts.monitor ? { monitor: true } : {}), ...(opts.proxy ? { proxy: true } : {}), ...(opts.relayToken ? { relayToken: opts.relayToken } : {}),
    });
    try {
      client.joined = await joined;
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  send(message: ClientMessage): void {
    if (!this.#closed) this.#ws.send(JSON.stringify(message));
  }

  /** Wait for the next message of a type; an `error` rejects. */
  #next<T extends ServerMessage['type']>(type: T, timeoutMs = 15_000): Promise<Msg<T>> {
    return this.#awaitReply<Msg<T>>(
      (m) => (m.type === type ? m as Msg<T> : m.type === 'error' ? m : undefined),
      timeoutMs, () => new RuntimeError('JOIN_FAILED', { detail: `no ${type} within ${timeoutMs} ms` }),
    );
  }

  /**
   * Wait for the message `pick` takes: its value resolves, an `error` it takes rejects (RefusedError → exit 4);
   * a timeout or the connection closing rejects too.
   */
  #awaitReply<T>(pick: (m: ServerMessage) => T | Msg<'error'> | undefined, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(() => reject(onTimeout())), timeoutMs);
      const onMessage = (m: ServerMessage): boolean => {
        const got = pick(m);
        if (got === undefined) return false;
        const e = got as Msg<'error'>;
        if (got === m && m.type === 'error') finish(() => reject(remoteError('refused', e.code, e.message, e.params)));
        else finish(() => resolve(got as T));
        return true;
      };
      const onClose = () => finish(() => reject(new RuntimeError('JOIN_FAILED', { detail: 'connection closed' })));
      const finish = (f: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(onMessage);
        this.off('closed', onClose);
        f();
      };
      this.#waiters.add(onMessage);
      this.once('closed', onClose);
    });
  }

  /** Pending requests, oldest first; each says whether it took the message. */
  readonly #waiters = new Set<(m: ServerMessage) => boolean>();

  #onMessage(text: string): void {
    let m: ServerMessage;
    try {
      m = serverMessage.parse(JSON.parse(text));
    } catch (err) {
      log('bad message from relay: %O', err);
      return;
    }
    // The relay answers a connection's requests in order: an ack or error goes to the oldest request it fits.
    for (const w of [...this.#waiters]) if (w(m) && (m.type === 'ack' || m.type === 'error')) break;
    this.safeEmit('message', m);
    switch (m.type) {
      case 'state':
        this.lastState = m;
        this.safeEmit('state', m);
        break;
      case 'subscribeOffer':
        this.#subscription.answer(m).catch((err: unknown) => log('subscribe failed: %O', err));
        break;
      case 'error':
        this.safeEmit('error', m);
        break;
      case 'status':
        this.lastStatus = m;
        this.safeEmit('status', m);
        break;
      case 'docList':
        this.lastDocList = m;
        break;
      case 'chatHistory':
        this.chat.unshift(...m.messages);
        this.#chatHistoryArrived();
        break;
      case 'chat':
        this.chat.push(m.message);
        this.safeEmit('chat', m.message);
        break;
      case 'seat':
        this.safeEmit('seat', m.granted);
        break;
      case 'notices': {
        // A notice added while the list was on its way may have come first: keep it once, after the list.
        const listed = new Set(m.notices.map((n) => n.id));
        this.notices.splice(0, this.notices.length, ...m.notices, ...this.notices.filter((n) => !listed.has(n.id)));
        this.#noticeListArrived();
        break;
      }
      case 'notice':
        if (!this.notices.some((n) => n.id === m.notice.id)) this.notices.push(m.notice);
        this.safeEmit('notice', m.notice);
        break;
      case 'mutedByHost':
        this.safeEmit('mutedByHost', m.kind);
        break;
      case 'ended':
        this.safeEmit('ended', m.reason);
        break;
      default:
        break;
    }
  }

  /**
   * Send a request the relay answers with `ack` (chat and host requests); resolves on the ack, rejects with the
   * relay's error (RefusedError → exit 4).
   */
  async request(message: Extract<ClientMessage, { type: 'chat' | 'pushVenue' | 'nextStep' | 'grantSeat' | 'revokeSeat' | 'muteParticipant' | 'removeParticipant' | 'record' }>, timeoutMs = 15_000): Promise<void> {
    const done = this.#awaitReply<true>(
      (m) => ((m.type === 'ack' || m.type === 'error') && m.ref === message.type ? (m.type === 'ack' ? true : m) : undefined),
      timeoutMs, () => new RuntimeError('RELAY_NO_ANSWER', { request: message.type }),
    );
    this.send(message);
    await done;
  }

  /** Resolves once the discussion history sent after joining has arrived. */
  chatHistory(): Promise<void> {
    return this.#chatHistory;
  }

  /** Resolves once the session's voice notices sent after joining have arrived (relays before notices send none). */
  noticeList(): Promise<void> {
    return this.#noticeList;
  }

  /** Resolves with the first state that satisfies `check` (the current one included). */
  stateWhere(check: (s: Msg<'state'>) => boolean, timeoutMs = 15_000): Promise<Msg<'state'>> {
    if (this.lastState && check(this.lastState)) return Promise.resolve(this.lastState);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new RuntimeError('RELAY_NO_ANSWER', { request: 'state' }));
      }, timeoutMs);
      const onState = (s: Msg<'state'>) => {
        if (!check(s)) return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve(s);
      };
      this.on('state', onState);
    });
  }

  /** Call `fn` for every track received so far and every one to come. */
  eachTrack(fn: (t: ReceivedTrack) => void): void {
    for (const t of this.tracks) fn(t);
    this.on('track', fn);
  }

  /** Ask the relay for keyframes on every received video track (e.g. when a recording starts). */
  requestKeyframes(): void {
    this.#subscription.requestKeyframes();
  }

  /** Current stream slots (what each received mid carries). */
  get streams(): readonly StreamSlot[] {
    return this.#subscription.streams;
  }

  async takeSeat(): Promise<void> {
    const r = this.#next('seat');
    this.send({ type: 'takeSeat' });
    await r;
  }

  /** Publish the given tracks (write RTP into them). Host or seat holder only. */
  async publish(tracks: { audio?: MediaStreamTrack; video?: MediaStreamTrack }): Promise<void> {
    const pc = new RTCPeerConnection(clientPeerConfig(this.#address, this.#publishVideo));
    this.#publisher = pc;
    if (tracks.audio) pc.addTransceiver(tracks.audio, { direction: 'sendonly' });
    if (tracks.video) pc.addTransceiver(tracks.video, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const answer = this.#next('publishAnswer');
    this.send({ type: 'publish', sdp: await localSdp(pc) });
    await pc.setRemoteDescription({ type: 'answer', sdp: (await answer).sdp });
  }

  /** Call `fn` whenever the relay asks this publisher for a keyframe (PLI on its video). */
  onKeyframeRequest(fn: () => void): void {
    const video = this.#publisher?.getTransceivers().find((t) => t.kind === 'video');
    video?.sender.onPictureLossIndication.subscribe(fn);
  }

  /** Resolves when the publishing connection is connected. */
  publisherConnected(timeoutMs = 15_000): Promise<void> {
    return connected(this.#publisher, timeoutMs);
  }

  /**
   * Ping the relay every `intervalMs` (WebSocket ping); close this client when no pong came within `timeoutMs`
   * (a cut link is otherwise noticed only when TCP gives up, minutes later).
   */
  heartbeat(intervalMs = 2000, timeoutMs = 5000): void {
    let lastPong = Date.now();
    this.#ws.on('pong', () => (lastPong = Date.now()));
    const timer = setInterval(() => {
      if (this.#closed) return clearInterval(timer);
      if (Date.now() - lastPong > timeoutMs) {
        log('no pong from the relay for %d ms: closing', Date.now() - lastPong);
        clearInterval(timer);
        this.#ws.terminate();
        this.close();
        return;
      }
      try {
        this.#ws.ping();
      } catch (err) {
        log('ping failed: %O', err);
      }
    }, intervalMs);
    timer.unref();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscription.close();
    this.#publisher?.close().catch((err: unknown) => log('close: %O', err));
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(1000, 'bye');
    this.safeEmit('closed');
  }
}

function connected(pc: RTCPeerConnection | undefined, timeoutMs: number): Promise<void> {
  if (!pc) return Promise.reject(new RuntimeError('JOIN_FAILED', { detail: 'not publishing' }));
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new RuntimeError('JOIN_FAILED', { detail: 'connection not established' })), timeoutMs);
    const sub = pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      }
    });
  });
}

export { MediaStreamTrack };
