// One participant's side of a session: joins over the signaling socket, publishes (host, or after a seat is
// granted — asked for, or given by the host), subscribes to what the relay offers, follows the activity
// (rundown, chat, hands, host requests), and reconnects by itself after a network drop — re-joining with the
// same name/venue/host key and publishing again if it was. No DOM: the UI listens to `change`.
import type { ClientMessage, Participant, Role, ServerMessage } from '../signaling/protocol.js';
import { reconnectDelayMs } from './backoff.js';
import { joinErrorOutcome, NO_ACTIVITY, type Activity, type ClientEvents, type HostRequest, type JoinRequest, type Notice, type Phase, type SessionInfo } from './client-types.js';
import { isRefusedUpdate } from './doc-wire.js';
import { Emitter } from './emitter.js';
import { openCamera, Publisher, type Subscriber } from './media.js';
import { publishFailureNotice } from './publish-notice.js';
import { watchIce } from './rtc.js';
import { Signaling } from './signaling.js';
import { Subscription } from './subscription.js';

export class JoinClient extends Emitter<ClientEvents> {
  phase: Phase = 'idle';
  request: JoinRequest | null = null;
  peerId: string | null = null;
  role: Role | null = null;
  session: SessionInfo | null = null;
  participants: Participant[] = [];
  mainPeerId: string | null = null;
  mainVenue: string | null = null;
  seats = { total: 0, taken: 0 };
  activity: Activity = NO_ACTIVITY;
  endedReason = '';
  /** The relay has answered our publish offer. */
  publishing = false;
  /** We mean to publish (host broadcasting, or holding a seat): done again after a reconnect. */
  wantPublish = false;
  seatPending = false;
  micOn = true;
  camOn = true;
  localStream: MediaStream | null = null;
  publisher: Publisher | null = null;

  #signaling: Signaling | null = null;
  /** The subscribing connection: replaced on the relay's restart, a broken one rejoins (subscription.ts). */
  readonly #subscription = new Subscription({
    layout: () => this.emit('layout'),
    answer: (sdp, version) => void this.#send({ type: 'subscribeAnswer', sdp, version }),
    failed: () => this.emit('notice', { key: 'error.BAD_SDP' }),
    broken: () => this.#mediaBroken(),
  });
  #everJoined = false;
  #joinedHere = false;
  #hadSeat = false;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #unwatch: Array<() => void> = [];

  constructor(private readonly wsUrl: string) {
    super();
  }

  get isHost(): boolean {
    return this.role === 'host';
  }

  get subscriber(): Subscriber | null {
    return this.#subscription.subscriber;
  }

  /** Our own entry in the participants list. */
  get self(): Participant | undefined {
    return this.participants.find((p) => p.peerId === this.peerId);
  }

  join(request: JoinRequest): void {
    this.#teardown(true);
    this.#forgetSession();
    this.request = request;
    this.#everJoined = false;
    this.#attempt = 0;
    this.phase = 'joining';
    this.#connect();
    this.emit('change');
  }

  takeSeat(): void {
    if (this.phase !== 'joined' || this.isHost || this.seatPending || this.wantPublish) return;
    this.seatPending = this.#send({ type: 'takeSeat' });
    this.emit('change');
  }

  leaveSeat(): void {
    this.wantPublish = false;
    this.seatPending = false;
    this.#send({ type: 'leaveSeat' });
    this.#stopPublishing(true);
  }

  /** Raise or lower our hand (asking the host for a seat). */
  raiseHand(raised: boolean): void {
    if (this.phase === 'joined' && !this.isHost) this.#send({ type: 'raiseHand', raised });
  }

  /** Send a discussion message; false when it could not go out (not connected). */
  sendChat(text: string): boolean {
    return this.phase === 'joined' && this.#send({ type: 'chat', text });
  }

  /** A host request (next step, push a venue, grant/revoke a seat, mute or remove someone). */
  hostRequest(request: HostRequest): void {
    if (this.phase === 'joined' && this.isHost) this.#send(request);
  }

  startBroadcast(): void {
    if (this.phase !== 'joined' || !this.isHost || this.wantPublish) return;
    this.wantPublish = true;
    void this.#publish();
    this.emit('change');
  }

  stopBroadcast(): void {
    this.wantPublish = false;
    this.#send({ type: 'unpublish' });
    this.#stopPublishing(true);
  }

  setMic(on: boolean): void {
    this.micOn = on;
    this.#applyTrackState('audio');
    this.emit('change');
  }

  setCam(on: boolean): void {
    this.camOn = on;
    this.#applyTrackState('video');
    this.emit('change');
  }

  leave(): void {
    this.#send({ type: 'leave' });
    this.#teardown(true);
    this.#forgetSession();
    this.phase = 'idle';
    this.emit('change');
  }

  #connect(): void {
    const request = this.request;
    if (!request) return;
    const sig = new Signaling(this.wsUrl);
    this.#signaling = sig;
    this.#joinedHere = false;
    sig.on('open', () => {
      const { code, name, venue, hostKey } = request;
      sig.send(hostKey ? { type: 'join', code, name, venue, hostKey } : { type: 'join', code, name, venue });
    });
    sig.on('message', (m) => this.#onMessage(m));
    sig.on('message', (m) => this.emit('message', m)); // then page modules (documents) see it too
    sig.on('close', () => this.#dropped());
  }

  /** Send as it is (page modules such as documents: they check `phase` first); false when not connected. */
  send(message: ClientMessage): boolean {
    return this.#send(message);
  }

  #send(message: ClientMessage): boolean {
    return this.#signaling?.send(message) ?? false;
  }

  /** The socket or a media path broke: retry with back-off, or give up on a first join that never got in. */
  #dropped(): void {
    if (this.phase === 'idle' || this.phase === 'ended' || this.#retry !== undefined) return;
    if (!this.#everJoined) {
      this.#fail({ key: 'lookup_failed' });
      return;
    }
    this.#teardown(false);
    this.phase = 'reconnecting';
    const delay = reconnectDelayMs(this.#attempt++);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect();
    }, delay);
    this.emit('change');
  }

  #fail(reason: Notice): void {
    this.#teardown(true);
    this.phase = 'idle';
    this.emit('change');
    this.emit('joinFailed', reason);
  }

  #onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'joined':
        return this.#onJoined(m.peerId, m.role, m.session);
      case 'state':
        this.participants = m.participants;
        this.mainPeerId = m.mainPeerId;
        this.mainVenue = m.mainVenue;
        this.seats = m.seats;
        this.activity = { pendingVenue: m.pendingVenue, rundown: m.rundown, selfSeat: m.selfSeat, recording: m.recording, upstreamReconnecting: m.upstream === 'reconnecting' };
        return this.#onOwnState();
      case 'seat':
        return this.#onSeat(m.granted);
      case 'publishAnswer':
        return void this.#acceptAnswer(m.sdp);
      case 'subscribeOffer':
        return void this.#subscription.handleOffer(m);
      case 'pong':
        return;
      case 'error':
        return this.#onError(m.code, m.message, m.ref);
      case 'ended':
        // A relay that is restarting comes back: wait for it like after a network drop.
        if (m.reason === 'relay-stopping') return this.#dropped();
        this.endedReason = m.reason;
        this.#teardown(true);
        this.phase = 'ended';
        return this.emit('change');
      case 'chatHistory':
        return this.emit('chatHistory', m.messages);
      case 'chat':
        return this.emit('chat', m.message);
      case 'mutedByHost':
        if (m.kind === 'audio') this.setMic(false);
        else this.setCam(false);
        return this.emit('notice', { key: m.kind === 'audio' ? 'muted_by_host_audio' : 'muted_by_host_video' });
      case 'ack':
        return m.ref === 'chat' ? this.emit('chatAnswer', true) : undefined;
      case 'status':
        return;
    }
  }

  /** A seat granted (asked for, or given by the host: publish at once), refused, or taken back (watch again). */
  #onSeat(granted: boolean): void {
    const asked = this.seatPending;
    this.seatPending = false;
    if (this.isHost) return this.emit('change');
    if (granted) {
      const already = this.wantPublish && !asked; // a repeated grant while publishing starts nothing new
      this.wantPublish = true;
      if (!already) void this.#publish();
    } else {
      const held = this.wantPublish;
      this.wantPublish = false;
      this.#stopPublishing(true);
      if (asked) this.emit('notice', { key: 'seat_refused' });
      else if (held) this.emit('notice', { key: 'seat_revoked' });
    }
    this.emit('change');
  }

  #onJoined(peerId: string, role: Role, session: SessionInfo): void {
    this.#everJoined = true;
    this.#joinedHere = true;
    this.#attempt = 0;
    this.phase = 'joined';
    this.peerId = peerId;
    this.role = role;
    this.session = session;
    this.#hadSeat = false;
    if (this.wantPublish) {
      // Back after a drop: publish again the way we did before.
      if (role === 'host') void this.#publish();
      else this.seatPending = this.#send({ type: 'takeSeat' });
    }
    this.emit('change');
  }

  /** Our own entry in `state`: role changes, and a seat taken away by the relay stops our publishing. */
  #onOwnState(): void {
    const self = this.self;
    if (self) {
      this.role = self.role;
      if (this.#hadSeat && !self.seat && self.role !== 'host' && this.wantPublish) {
        this.wantPublish = false;
        this.#stopPublishing(true);
        this.emit('notice', { key: 'seat_revoked' });
      }
      this.#hadSeat = self.seat;
    }
    this.emit('change');
  }

  #onError(code: string, message: string, ref: string | undefined): void {
    if (code === 'SUBSCRIBE_RESTART_LIMIT') return this.#mediaBroken(); // the relay gave up on our media: rejoin
    const outcome = joinErrorOutcome(code, ref, this.#joinedHere, this.#everJoined);
    if (outcome === 'fail') return this.#fail({ code, message });
    if (outcome === 'retry') return this.#dropped(); // rate-limited or a relay hiccup while re-joining
    if (outcome === 'end') {
      this.#teardown(true);
      this.phase = 'ended';
      return this.emit('change');
    }
    if (ref === 'chat') this.emit('chatAnswer', false);
    if (isRefusedUpdate({ code, ref })) return; // the documents (PageDocs) reload that one and say so
    if (ref === 'publish' || ref === 'takeSeat') {
      this.seatPending = false;
      this.wantPublish = false;
      this.#stopPublishing(true);
    }
    this.emit('notice', { code, message });
  }

  async #publish(): Promise<void> {
    if (this.publisher) return;
    const sig = this.#signaling;
    try {
      this.localStream ??= await openCamera();
      this.#applyTrackState('audio');
      this.#applyTrackState('video');
      if (this.#signaling !== sig || !this.wantPublish || this.publisher) return; // dropped or cancelled meanwhile
      const pub = new Publisher(this.localStream);
      this.publisher = pub;
      this.#unwatch.push(watchIce(pub.pc, () => pub === this.publisher && this.#mediaBroken()));
      this.emit('change');
      const sdp = await pub.offer();
      if (this.publisher === pub) this.#send({ type: 'publish', sdp });
    } catch (err) {
      this.#publishFailed(err);
    }
  }

  async #acceptAnswer(sdp: string): Promise<void> {
    const pub = this.publisher;
    if (!pub) return;
    try {
      await pub.accept(sdp);
      if (this.publisher !== pub) return;
      this.publishing = true;
      if (!this.micOn) this.#send({ type: 'mute', kind: 'audio', muted: true });
      if (!this.camOn) this.#send({ type: 'mute', kind: 'video', muted: true });
      this.emit('change');
    } catch (err) {
      this.#publishFailed(err);
    }
  }

  #publishFailed(err: unknown): void {
    console.warn('jiaoyan: publishing failed', err);
    const notice = publishFailureNotice(err, this.publisher !== null);
    if (!this.isHost && this.wantPublish) this.#send({ type: 'leaveSeat' }); // give the seat to someone who can use it
    this.wantPublish = false;
    this.#stopPublishing(true);
    this.emit('notice', notice);
  }

  /** A media path broke for good (or the relay gave up on it): rejoin, as after a network drop. */
  #mediaBroken(): void {
    this.#signaling?.close();
    this.#dropped();
  }

  #applyTrackState(kind: 'audio' | 'video'): void {
    const on = kind === 'audio' ? this.micOn : this.camOn;
    for (const t of this.localStream?.getTracks() ?? []) if (t.kind === kind) t.enabled = on;
    if (this.publishing) this.#send({ type: 'mute', kind, muted: !on });
  }

  #stopPublishing(stopCamera: boolean): void {
    this.#releasePublisher(stopCamera);
    this.emit('change');
  }

  /** Close the publishing connection; with `stopCamera` also release the camera and microphone. */
  #releasePublisher(stopCamera: boolean): void {
    this.publisher?.close();
    this.publisher = null;
    this.publishing = false;
    if (stopCamera) {
      for (const t of this.localStream?.getTracks() ?? []) t.stop();
      this.localStream = null;
    }
  }

  #forgetSession(): void {
    this.peerId = null;
    this.role = null;
    this.session = null;
    this.participants = [];
    this.mainPeerId = null;
    this.mainVenue = null;
    this.seats = { total: 0, taken: 0 };
    this.activity = NO_ACTIVITY;
    this.endedReason = '';
    this.wantPublish = false;
  }

  /** Close the socket and both connections; `all` also releases the camera and cancels a pending retry. */
  #teardown(all: boolean): void {
    if (this.#retry !== undefined && all) clearTimeout(this.#retry);
    if (all) this.#retry = undefined;
    for (const u of this.#unwatch.splice(0)) u();
    this.#signaling?.close();
    this.#signaling = null;
    this.#subscription.close();
    this.#releasePublisher(all);
    this.seatPending = false;
    this.emit('layout');
  }
}
