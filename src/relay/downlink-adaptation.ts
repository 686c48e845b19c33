// Audio first, per viewer: one viewer's subscribing connection adapted to its link. Its receiver reports (loss) and
// REMBs feed a DownlinkEstimator; a LayerChooser turns the estimate into a level; each video m-line is fed the
// simulcast layer for that level (the main video the chosen one, grid tiles the lowest), or nothing below the floor
// — audio always goes on, with redundancy (RED) while the viewer loses packets. Re-evaluated on every report and
// four times a second (holds expire, layers stop and start).
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, RtcpRrPacket, RtcpSrPacket, type RtcpReceiverInfo } from 'werift';
import { logger } from '../core/log.js';
import type { AdaptationPreset } from './adaptation-preset.js';
import { DownlinkEstimator } from './downlink-estimator.js';
import { LayerChooser, type Level } from './layer-chooser.js';
import type { PacketSource } from './packet-source.js';
import { LAYER_ACTIVE_MS, layerNames, pickLayer, type ViewerLayer } from './simulcast.js';
import type { SlotSender } from './slot-sender.js';

const log = logger('relay:adaptation');

const TICK_MS = 250;
/** RTP (12) + SRTP tag (16) + UDP (8) + IPv4 (20): what a packet costs on the wire beyond its payload. */
const PACKET_OVERHEAD_BYTES = 56;
/** The send rate is measured over at least this long. */
const RATE_WINDOW_MS = 1000;

/** The part of werift's RTCRtpSender this reads: its SSRC and the RTCP the viewer sends about it. */
export interface RtcpSource {
  readonly ssrc: number;
  readonly onRtcp: { subscribe(f: (packet: unknown) => void): { unSubscribe: () => void } };
}

export interface DownlinkStatus {
  /** What the main video m-line carries: a layer, 'audio' (paused for this link), null (no video to watch). */
  readonly layer: ViewerLayer | null;
  readonly estimateKbps: number;
}

export class DownlinkAdaptation {
  readonly #preset: AdaptationPreset;
  readonly #now: () => number;
  readonly #estimator: DownlinkEstimator;
  readonly #chooser: LayerChooser;
  readonly #slots: { slot: SlotSender; ssrc: number; sentAtReport: number }[] = [];
  /** The source each m-line is meant to show (a video one is fed one of its layers). */
  readonly #sources = new Map<SlotSender, PacketSource | undefined>();
  readonly #disposers: (() => void)[] = [];
  readonly #samples: { at: number; bytes: number }[] = [];
  /** Video m-lines paused for this viewer's link (their source still there). */
  readonly #paused = new Set<SlotSender>();
  #lastRtcp: unknown;
  #red = false;
  #redCleanSince: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(preset: AdaptationPreset, opts: { now?: () => number; tick?: boolean } = {}) {
    this.#preset = preset;
    this.#now = opts.now ?? Date.now;
    this.#estimator = new DownlinkEstimator({ ...preset, probeKbps: preset.layers.lowFromKbps, floorKbps: preset.layers.audioOnlyBelowKbps });
    this.#chooser = new LayerChooser(preset, preset.startKbps, this.#now());
    if (opts.tick !== false) {
      this.#timer = setInterval(() => this.tick(), TICK_MS);
      this.#timer.unref();
    }
  }

  get level(): Level {
    return this.#chooser.level;
  }

  /** Adapt this m-line; `rtcp` is its werift sender (receiver reports and REMB arrive there). */
  add(slot: SlotSender, rtcp: RtcpSource): void {
    this.#slots.push({ slot, ssrc: rtcp.ssrc, sentAtReport: 0 });
    this.#disposers.push(rtcp.onRtcp.subscribe((packet) => this.#onRtcp(packet)).unSubscribe);
  }

  /** Point `slot` at `source` (the layout's choice); video gets the layer this viewer's link takes. */
  feed(slot: SlotSender, source: PacketSource | undefined): void {
    this.#sources.set(slot, source);
    if (slot.kind === 'audio') slot.attach(source);
    else this.#place(slot, this.#now());
  }

  /** The source `slot` is meant to show, whatever layer of it is sent (or none, paused). */
  sourceOf(slot: SlotSender): PacketSource | undefined {
    return this.#sources.get(slot);
  }

  status(): DownlinkStatus {
    const now = this.#now();
    const main = [...this.#sources].find(([s, src]) => s.kind === 'video' && s.slot === 'main' && src);
    let layer: ViewerLayer | null = null;
    if (main) {
      const [slot, src] = main;
      const layers = src!.layers ?? [src!];
      const sent = slot.publication;
      const i = sent ? layers.indexOf(sent) : -1;
      // A layer that sends nothing (a venue without a camera) is no picture: null.
      if (this.#chooser.level === 0) layer = 'audio';
      else if (i >= 0 && now - (sent!.lastPacketAt ?? 0) <= LAYER_ACTIVE_MS) layer = layerNames(layers.length)[i]!;
    }
    return { layer, estimateKbps: Math.round(this.#estimator.kbps(now)) };
  }

  /** Re-evaluate: the estimate against the holds, and which layers are sending. */
  tick(): void {
    if (this.#closed) return;
    const now = this.#now();
    this.#sample(now);
    this.#apply(now);
  }

  #apply(now: number): void {
    this.#chooser.update(this.#estimator.kbps(now), now);
    for (const slot of this.#sources.keys()) if (slot.kind === 'video') this.#place(slot, now);
  }

  #place(slot: SlotSender, now: number): void {
    const source = this.#sources.get(slot);
    const layers = source ? (source.layers ?? [source]) : [];
    // Grid tiles are small: they get the lowest layer (or nothing, audio only).
    const level = slot.slot === 'main' ? this.#chooser.level : (Math.min(this.#chooser.level, 1) as Level);
    const target = pickLayer(layers, level, now)?.layer;
    const current = slot.pendingSource ?? slot.publication;
    if (target === current) return;
    log('m-line %s (%s): level %d, layer %d of %d → %d (estimate %d kbit/s)', slot.mid, slot.slot, level, current ? layers.indexOf(current) : -1, layers.length,
      target ? layers.indexOf(target) : -1, Math.round(this.#estimator.kbps(now)));
    // Up: the current layer goes on until the better one's keyframe. Down, paused or resumed: at once.
    const up = target !== undefined && current !== undefined && layers.indexOf(target) > layers.indexOf(current) && layers.includes(current);
    if (up) slot.switchLayer(target);
    else slot.attach(target);
    // Video resuming after a pause for this link: its keyframe is wanted now, not after the publisher's
    // once-a-second window (joins and layout changes keep to the window).
    const resumed = this.#paused.delete(slot) && target !== undefined;
    if (target === undefined && source !== undefined) this.#paused.add(slot);
    if (resumed) target.requestKeyframeNow?.();
  }

  #wireBytes(): number {
    let bytes = 0;
    for (const { slot } of this.#slots) bytes += slot.bytes + slot.packets * PACKET_OVERHEAD_BYTES;
    return bytes;
  }

  #sample(now: number): void {
    this.#samples.push({ at: now, bytes: this.#wireBytes() });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at >= RATE_WINDOW_MS) this.#samples.shift();
  }

  /** What this viewer has been sent lately, kbit/s on the wire. */
  #sendKbps(now: number): number {
    const first = this.#samples[0];
    if (!first || now - first.at <= 0) return 0;
    return ((this.#wireBytes() - first.bytes) * 8) / (now - first.at);
  }

  #onRtcp(packet: unknown): void {
    if (this.#closed || packet === this.#lastRtcp) return; // werift hands one compound report to each sender it names
    this.#lastRtcp = packet;
    try {
      const now = this.#now();
      if (packet instanceof RtcpRrPacket || packet instanceof RtcpSrPacket) this.#onReports(packet.reports, now);
      else if (packet instanceof RtcpPayloadSpecificFeedback && packet.feedback instanceof ReceiverEstimatedMaxBitrate) {
        this.#estimator.remb(Number(packet.feedback.bitrate) / 1000, now);
        this.#apply(now);
      }
    } catch (err) {
      log('RTCP from a viewer not understood: %O', err);
    }
  }

  /** Loss over the packets the reports cover (each m-line weighted by what it was sent since its last report). */
  #onReports(reports: readonly RtcpReceiverInfo[], now: number): void {
    let lost = 0;
    let sent = 0;
    for (const r of reports) {
      const s = this.#slots.find((x) => x.ssrc === r.ssrc);
      if (!s) continue;
      const n = s.slot.packets - s.sentAtReport;
      s.sentAtReport = s.slot.packets;
      if (n <= 0) continue;
      lost += (Math.min(255, Math.max(0, r.fractionLost)) / 256) * n;
      sent += n;
    }
    if (sent === 0) return;
    const loss = lost / sent;
    this.#estimator.report(loss, this.#sendKbps(now), now);
    this.#redundancy(loss, now);
    this.#apply(now);
  }

  #redundancy(loss: number, now: number): void {
    const r = this.#preset.red;
    if (loss >= r.aboveLoss) {
      this.#red = true;
      this.#redCleanSince = undefined;
    } else if (this.#red) {
      this.#redCleanSince ??= now;
      if (now - this.#redCleanSince >= r.offAfterCleanSeconds * 1000) this.#red = false;
    }
    for (const { slot } of this.#slots) if (slot.kind === 'audio') slot.setRedundancy(this.#red);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const d of this.#disposers) d();
    this.#sources.clear();
  }
}
