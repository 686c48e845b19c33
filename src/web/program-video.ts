// The lesson's program as one timeline over its parts: a recording whose main venue moved between a VP8 and an
// H.264 venue is kept as consecutive files (program.webm, program-2.mkv, …), each starting at its offset. This
// wraps the page's <video> so the player, the notes and the watch tracker see one clock: `currentTime` is the
// lesson's time, setting it loads the right part, and playback runs on from one part into the next.

export interface ProgramPart {
  readonly src: string;
  /** Seconds from the start of the recording. */
  readonly offset: number;
}

/** What the player's parts use of a video: the lesson's clock, its state and its events. */
export interface PlayerVideo {
  currentTime: number;
  readonly paused: boolean;
  readonly seeking: boolean;
  play(): Promise<void>;
  addEventListener(type: string, listener: () => void): void;
}

export class ProgramVideo implements PlayerVideo {
  readonly element: HTMLVideoElement;
  readonly #parts: readonly ProgramPart[];
  #index = 0;

  constructor(element: HTMLVideoElement, parts: readonly ProgramPart[]) {
    this.element = element;
    this.#parts = parts.length > 0 ? parts : [{ src: element.src, offset: 0 }];
    element.src = this.#parts[0]!.src;
    // The end of a part that is not the last: the next one plays on from its start.
    element.addEventListener('ended', () => {
      if (this.#index < this.#parts.length - 1) this.#load(this.#index + 1, 0, true);
    });
  }

  get currentTime(): number {
    return this.#parts[this.#index]!.offset + this.element.currentTime;
  }

  set currentTime(t: number) {
    let i = 0;
    while (i + 1 < this.#parts.length && this.#parts[i + 1]!.offset <= t) i++;
    const within = Math.max(0, t - this.#parts[i]!.offset);
    if (i === this.#index) this.element.currentTime = within;
    else this.#load(i, within, !this.element.paused);
  }

  get paused(): boolean {
    return this.element.paused;
  }

  get seeking(): boolean {
    return this.element.seeking;
  }

  play(): Promise<void> {
    return this.element.play();
  }

  /** The element's events; `ended` only at the end of the last part. */
  addEventListener(type: string, listener: () => void): void {
    if (type !== 'ended') return this.element.addEventListener(type, listener);
    this.element.addEventListener('ended', () => {
      if (this.#index === this.#parts.length - 1) listener();
    });
  }

  #load(index: number, at: number, play: boolean): void {
    this.#index = index;
    const el = this.element;
    el.src = this.#parts[index]!.src;
    el.addEventListener('loadedmetadata', () => {
      el.currentTime = at;
      if (play) void el.play().catch(() => undefined);
    }, { once: true });
  }
}
