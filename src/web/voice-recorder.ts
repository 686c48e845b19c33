// One voice-notice recording: the microphone through MediaRecorder (Opus in WebM or Ogg), stopped by the person
// or by itself at NOTICE_MAX_SECONDS; the microphone is released as soon as it ends. No DOM besides the media APIs.
import { Emitter } from './emitter.js';
import { NOTICE_MAX_SECONDS, recorderType } from './notices.js';

export interface RecorderEvents {
  /** Seconds recorded so far (a few times a second). */
  tick: [seconds: number];
  /** The recording is complete (stopped by the person or at the limit). */
  done: [Blob];
  /** The recorder failed (no microphone, not allowed, …). */
  failed: [unknown];
}

/** How often the elapsed time is reported. */
const TICK_MS = 200;

export class VoiceRecorder extends Emitter<RecorderEvents> {
  #recorder: MediaRecorder | null = null;
  #stream: MediaStream | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #limit: ReturnType<typeof setTimeout> | undefined;
  #startedAt = 0;
  #cancelled = false;

  /** Whether this browser can record at all. */
  static get supported(): boolean {
    return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
  }

  get recording(): boolean {
    return this.#recorder !== null;
  }

  /** Open the microphone and start; `failed` when that is not possible. */
  async start(): Promise<void> {
    if (this.#recorder) return;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const type = recorderType((t) => MediaRecorder.isTypeSupported(t));
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      const chunks: Blob[] = [];
      this.#stream = stream;
      this.#recorder = recorder;
      this.#cancelled = false;
      recorder.addEventListener('dataavailable', (e) => {
        if (e.data.size > 0) chunks.push(e.data);
      });
      recorder.addEventListener('start', () => {
        this.#startedAt = performance.now();
        this.#timer = setInterval(() => this.#tick(), TICK_MS);
        this.#limit = setTimeout(() => this.stop(), NOTICE_MAX_SECONDS * 1000);
      });
      recorder.addEventListener('stop', () => {
        const cancelled = this.#cancelled;
        this.#release();
        if (!cancelled) this.emit('done', new Blob(chunks, { type: recorder.mimeType || type || 'audio/webm' }));
      });
      recorder.addEventListener('error', (e) => {
        this.#release();
        this.emit('failed', (e as Event & { error?: unknown }).error ?? e);
      });
      recorder.start();
    } catch (err) {
      this.#release();
      this.emit('failed', err);
    }
  }

  /** Stop and deliver what was recorded (`done`). */
  stop(): void {
    if (this.#recorder?.state === 'recording') this.#recorder.stop();
  }

  /** Stop and throw the recording away. */
  cancel(): void {
    this.#cancelled = true;
    if (this.#recorder?.state === 'recording') this.#recorder.stop();
    else this.#release();
  }

  #tick(): void {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    this.emit('tick', Math.min(seconds, NOTICE_MAX_SECONDS));
  }

  #release(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#limit);
    this.#timer = undefined;
    this.#limit = undefined;
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#stream = null;
    this.#recorder = null;
  }
}
