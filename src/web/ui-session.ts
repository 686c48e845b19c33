// The session screen: the main venue large, seat holders in a grid, one's own camera; beside them the shared
// document, the rundown, the discussion, the voice notices and the participants list; and the controls (seat or
// raised hand, broadcast, microphone, camera, sound, leave).
import type { JoinClient } from './client.js';
import type { Notice } from './client-types.js';
import type { PageDocs } from './docs.js';
import { h, setLabel, show } from './dom.js';
import { t } from './i18n.js';
import { pairKey, type MediaPair, type SlotLayout } from './slots.js';
import { RundownView } from './ui-activity.js';
import { ChatView } from './ui-chat.js';
import { NoticesView } from './ui-notices.js';
import { DocPanel } from './ui-docs.js';
import { PeopleView } from './ui-people.js';

/** A video element that may autoplay: muted and inline until the person turns the sound on. */
function videoEl(id?: string): HTMLVideoElement {
  const v = h('video', { attrs: { playsinline: '', autoplay: '', ...(id ? { id } : {}) } });
  v.muted = true;
  v.playsInline = true;
  v.autoplay = true;
  return v;
}

/** Play, falling back to muted playback when the browser blocks sound. */
function play(video: HTMLVideoElement): void {
  video.play().catch((err: unknown) => {
    if (err instanceof DOMException && err.name === 'NotAllowedError' && !video.muted) {
      video.muted = true;
      video.play().catch((e: unknown) => console.warn('jiaoyan: video did not start', e));
    } else if (!(err instanceof DOMException && err.name === 'AbortError')) {
      console.warn('jiaoyan: video did not start', err);
    }
  });
}

function attach(video: HTMLVideoElement, pair: MediaPair<MediaStreamTrack>): void {
  const key = pairKey(pair);
  if (video.dataset.tracks === key) return;
  video.dataset.tracks = key;
  const tracks = [pair.video, pair.audio].filter((x): x is MediaStreamTrack => x !== undefined);
  video.srcObject = tracks.length ? new MediaStream(tracks) : null;
  if (tracks.length) play(video);
}

/** Where the received tracks go. */
function layoutOf(c: JoinClient): SlotLayout<MediaStreamTrack> {
  return c.subscriber?.layout(c.peerId) ?? { main: {}, seats: new Map() };
}

interface Tile {
  el: HTMLElement;
  video: HTMLVideoElement;
  label: HTMLElement;
}

export class SessionView {
  readonly el: HTMLElement;
  readonly #title = h('h1', { class: 'session-title', attrs: { id: 'session-title' } });
  readonly #seatsFree = h('span', { class: 'seats-free', attrs: { id: 'seats-free' } });
  readonly #mainVenue = h('span', { class: 'main-venue', attrs: { id: 'main-venue' } });
  readonly #pendingVenue = h('span', { class: 'pending-venue', attrs: { id: 'pending-venue', role: 'status' } });
  readonly #recording = h('span', { class: 'recording', i18n: 'recording', attrs: { id: 'recording' } });
  readonly #mainVideo = videoEl('main-video');
  readonly #mainWaiting = h('p', { class: 'waiting', i18n: 'main_waiting' });
  readonly #seats = h('div', { class: 'seats', attrs: { id: 'seats' } });
  readonly #peopleHead = h('h2', { attrs: { id: 'people-head' } });
  readonly #people: PeopleView;
  readonly #rundown: RundownView;
  readonly #chat: ChatView;
  readonly #notices: NoticesView;
  readonly #docs: DocPanel;
  readonly #handStatus = h('span', { class: 'hand-status', i18n: 'hand_raised', attrs: { id: 'hand-status', role: 'status' } });
  readonly #tiles = new Map<string, Tile>();
  readonly #self: Tile = this.#tile('self');
  readonly #buttons = {
    takeSeat: h('button', { i18n: 'take_seat', attrs: { type: 'button', id: 'take-seat' } }),
    raiseHand: h('button', { class: 'hand', i18n: 'raise_hand', attrs: { type: 'button', id: 'raise-hand', 'aria-pressed': 'false' } }),
    leaveSeat: h('button', { i18n: 'leave_seat', attrs: { type: 'button', id: 'leave-seat' } }),
    startBroadcast: h('button', { i18n: 'start_broadcast', attrs: { type: 'button', id: 'start-broadcast' } }),
    stopBroadcast: h('button', { i18n: 'stop_broadcast', attrs: { type: 'button', id: 'stop-broadcast' } }),
    mic: h('button', { i18n: 'mic_off', attrs: { type: 'button', id: 'mic' } }),
    cam: h('button', { i18n: 'cam_off', attrs: { type: 'button', id: 'cam' } }),
    sound: h('button', { class: 'sound', i18n: 'sound_on', attrs: { type: 'button', id: 'sound-on' } }),
    leave: h('button', { class: 'leave', i18n: 'leave', attrs: { type: 'button', id: 'leave' } }),
  };
  #soundOn = false;

  constructor(
    private readonly client: JoinClient,
    notify: (n: Notice) => void,
    docs: PageDocs,
  ) {
    const b = this.#buttons;
    this.#people = new PeopleView(client);
    this.#rundown = new RundownView(client);
    this.#chat = new ChatView(client, notify);
    this.#notices = new NoticesView(client, notify);
    this.#docs = new DocPanel(docs);
    this.#self.label.dataset.i18n = 'my_camera';
    this.#self.label.textContent = t('my_camera');
    this.el = h(
      'section',
      { class: 'session', attrs: { id: 'session' } },
      h('header', { class: 'session-head' }, this.#title, this.#mainVenue, this.#pendingVenue, this.#recording, this.#rundown.record, this.#seatsFree),
      h(
        'div',
        { class: 'layout' },
        h('div', { class: 'stage' }, h('div', { class: 'main-tile' }, this.#mainVideo, this.#mainWaiting), this.#seats),
        this.#docs.el,
        h(
          'aside',
          { class: 'side' },
          this.#rundown.el,
          this.#chat.el,
          this.#notices.el,
          h('section', { class: 'people' }, this.#peopleHead, this.#people.el),
        ),
      ),
      h('div', { class: 'controls' }, ...Object.values(b), this.#handStatus),
    );
    b.takeSeat.addEventListener('click', () => client.takeSeat());
    b.raiseHand.addEventListener('click', () => client.raiseHand(!(client.self?.hand ?? false)));
    b.leaveSeat.addEventListener('click', () => client.leaveSeat());
    b.startBroadcast.addEventListener('click', () => client.startBroadcast());
    b.stopBroadcast.addEventListener('click', () => client.stopBroadcast());
    b.mic.addEventListener('click', () => client.setMic(!client.micOn));
    b.cam.addEventListener('click', () => client.setCam(!client.camOn));
    b.sound.addEventListener('click', () => this.#turnSoundOn());
    b.leave.addEventListener('click', () => client.leave());
  }

  /** Texts, buttons and the participants list from the client's state. */
  render(): void {
    const c = this.client;
    this.#title.textContent = c.session?.title ?? '';
    const free = Math.max(0, c.seats.total - c.seats.taken);
    this.#seatsFree.textContent = t('seats_free', { free, total: c.seats.total });
    this.#mainVenue.textContent = c.mainVenue ? t('main_venue', { venue: c.mainVenue }) : '';
    const pending = c.activity.pendingVenue;
    this.#pendingVenue.textContent = pending ? t('switching_to', { venue: pending }) : '';
    show(this.#pendingVenue, pending !== null);
    show(this.#recording, c.activity.recording);
    this.#peopleHead.textContent = t('participants', { count: c.participants.length });
    this.#people.render();
    this.#rundown.render();
    this.#chat.render();
    this.#notices.render();
    this.#docs.render();
    show(this.#mainWaiting, c.mainPeerId === null);

    const joined = c.phase === 'joined';
    const host = c.isHost;
    const b = this.#buttons;
    // A free seat one may take oneself: "take a seat"; otherwise (host grants, or seats full): raise a hand.
    const selfService = c.activity.selfSeat && free > 0;
    show(b.takeSeat, !host && !c.wantPublish && (c.seatPending || selfService));
    b.takeSeat.disabled = !joined || c.seatPending || free === 0;
    setLabel(b.takeSeat, c.seatPending ? 'seat_waiting' : 'take_seat');
    const hand = c.self?.hand ?? false;
    show(b.raiseHand, !host && !c.wantPublish && !c.seatPending && !selfService);
    b.raiseHand.disabled = !joined;
    setLabel(b.raiseHand, hand ? 'lower_hand' : 'raise_hand');
    b.raiseHand.setAttribute('aria-pressed', String(hand));
    show(this.#handStatus, !host && !c.wantPublish && hand);
    show(b.leaveSeat, !host && c.wantPublish);
    show(b.startBroadcast, host && !c.wantPublish);
    b.startBroadcast.disabled = !joined;
    show(b.stopBroadcast, host && c.wantPublish);
    show(b.mic, c.wantPublish);
    show(b.cam, c.wantPublish);
    setLabel(b.mic, c.micOn ? 'mic_off' : 'mic_on');
    setLabel(b.cam, c.camOn ? 'cam_off' : 'cam_on');
    b.mic.setAttribute('aria-pressed', String(!c.micOn));
    b.cam.setAttribute('aria-pressed', String(!c.camOn));
    show(b.sound, !this.#soundOn);
    this.#renderSelf();
    this.#renderSeatLabels();
  }

  /** Attach received tracks to the main video and the seat tiles. */
  renderMedia(): void {
    const c = this.client;
    const layout = layoutOf(c);
    attach(this.#mainVideo, layout.main);
    const mainIsSelf = (layout.mainPeerId ?? c.mainPeerId) === c.peerId && c.peerId !== null;
    this.#mainVideo.muted = !this.#soundOn || mainIsSelf; // never play one's own voice back
    for (const [peerId, tile] of this.#tiles) {
      if (!layout.seats.has(peerId)) {
        tile.video.srcObject = null;
        tile.el.remove();
        this.#tiles.delete(peerId);
      }
    }
    for (const [peerId, pair] of layout.seats) {
      let tile = this.#tiles.get(peerId);
      if (!tile) {
        tile = this.#tile(peerId);
        this.#tiles.set(peerId, tile);
        this.#seats.append(tile.el);
      }
      tile.video.muted = !this.#soundOn;
      attach(tile.video, pair);
    }
    this.#renderSeatLabels();
  }

  #tile(peerId: string): Tile {
    const video = videoEl();
    const label = h('span', { class: 'tile-label' });
    const el = h('div', { class: 'tile', attrs: { 'data-peer': peerId } }, video, label);
    return { el, video, label };
  }

  #renderSelf(): void {
    const stream = this.client.publisher ? this.client.localStream : null;
    const self = this.#self;
    if (!stream) {
      self.el.remove();
      self.video.srcObject = null;
      return;
    }
    if (self.video.srcObject !== stream) {
      self.video.srcObject = stream;
      play(self.video);
    }
    if (!self.el.isConnected) this.#seats.prepend(self.el);
  }

  #renderSeatLabels(): void {
    for (const [peerId, tile] of this.#tiles) {
      const p = this.client.participants.find((x) => x.peerId === peerId);
      tile.label.textContent = p ? `${p.name} · ${p.venue}` : '';
    }
  }

  #turnSoundOn(): void {
    this.#soundOn = true;
    this.renderMedia();
    for (const v of [this.#mainVideo, ...[...this.#tiles.values()].map((x) => x.video)]) if (v.srcObject) play(v);
    this.render();
  }
}
