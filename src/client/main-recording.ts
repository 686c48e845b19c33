// What `jiaoyan join --record` keeps: the main venue's audio and video as one WebM file. The recording starts when
// both main tracks have arrived; when the subscribing connection is replaced (a restart), it follows the new
// connection's main tracks in the same file.
import type { ReceivedTrack } from './subscription.js';
import { RtpRecorder } from './rtp-recorder.js';

export interface MainRecordingHooks {
  /** Ask the relay for keyframes (the file starts, and resumes, on one). */
  readonly requestKeyframes: () => void;
  /** The recording moved onto connection `connection`. */
  readonly onResumed?: (connection: number) => void;
  readonly onError?: (err: unknown) => void;
}

export class MainVenueRecording {
  readonly path: string;
  readonly #hooks: MainRecordingHooks;
  #tracks: ReceivedTrack[] = [];
  #recorder: Promise<RtpRecorder> | undefined;
  #started: RtpRecorder | undefined;
  #stopped = false;

  constructor(path: string, hooks: MainRecordingHooks) {
    this.path = path;
    this.#hooks = hooks;
  }

  /** Feed every track the participant receives. */
  onTrack(track: ReceivedTrack): void {
    if (track.slot !== 'main' || this.#stopped) return;
    if (this.#tracks[0] && this.#tracks[0].connection !== track.connection) this.#tracks = [];
    this.#tracks.push(track);
    if (this.#tracks.length !== 2) return;
    const tracks = this.#tracks;
    if (!this.#recorder) {
      this.#recorder = RtpRecorder.start(this.path, tracks);
      this.#recorder.then((r) => {
        this.#started = r;
        this.#hooks.requestKeyframes();
      }, (err: unknown) => this.#hooks.onError?.(err));
      return;
    }
    this.#recorder.then((r) => {
      r.follow(tracks);
      this.#hooks.requestKeyframes();
      this.#hooks.onResumed?.(track.connection);
    }, () => undefined);
  }

  /** Packets in the file so far, per kind (zeros before the recording starts). */
  get written(): { audio: number; video: number } {
    return this.#started ? { ...this.#started.written } : { audio: 0, video: 0 };
  }

  /** Finish the file. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const r = await this.#recorder?.catch(() => undefined);
    await r?.stop();
  }
}
