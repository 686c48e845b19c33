// Records what a headless participant receives (VP8 + Opus RTP) to WebM: the tracks' packets go to an
// RtpWebmWriter (ffmpeg); `stop()` finishes the file (duration and cues written, seekable).
import type { MediaStreamTrack } from 'werift';
import { RtpWebmWriter } from '../media/rtp-webm-writer.js';

export interface RecordedTrack {
  readonly kind: 'audio' | 'video';
  readonly track: MediaStreamTrack;
}

export class RtpRecorder {
  readonly #writer: RtpWebmWriter;
  readonly #unsubscribe: (() => void)[] = [];

  private constructor(writer: RtpWebmWriter) {
    this.#writer = writer;
  }

  /** Start recording `tracks` (one audio, one video) to `path` (.webm). */
  static async start(path: string, tracks: readonly RecordedTrack[]): Promise<RtpRecorder> {
    // The payload type the relay negotiated with us: from the codec, else from the first packet.
    const streams = await Promise.all(tracks.map(async (t) => ({
      kind: t.kind,
      payloadType: t.track.codec?.payloadType ?? (await t.track.onReceiveRtp.asPromise())[0].header.payloadType,
    })));
    const rec = new RtpRecorder(await RtpWebmWriter.start(path, streams));
    for (const t of tracks) {
      const { unSubscribe } = t.track.onReceiveRtp.subscribe((p) => rec.#writer.write(t.kind, p.serialize()));
      rec.#unsubscribe.push(unSubscribe);
    }
    return rec;
  }

  /** Finish the file. Idempotent. */
  async stop(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.#writer.stop();
  }
}
