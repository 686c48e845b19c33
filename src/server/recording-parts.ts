// One file of a recording — the program, or a seat — written as one or more parts, each a complete file of its
// own (see media/rtp-webm-writer.ts for why): a new part starts where the video codec changes (the main venue moved
// from a VP8 venue to an H.264 one) or where video appears in a part that was started with sound only. Names:
// `program.webm`, then `program-2.mkv`, `program-3.webm`… (`.mkv` when the part holds H.264). Every part is listed
// in the catalogue as it starts, in order, with its offset on the recording's timeline; a part that got no media
// is no file and is not listed.
//
// The first part's ffmpeg starts at once, expecting VP8 (the common case): its sound is held back until the first
// keyframe says which codec the picture is — VP8, and everything goes in; H.264, and that ffmpeg is replaced by
// one writing `.mkv`. No keyframe within HOLD_AUDIO packets of sound (a venue without a camera), or none before
// the recording stops: the part is written with sound only.
import { join } from 'node:path';
import { logger } from '../core/log.js';
import { containerOf, nowMs, RtpWebmWriter, type RtpStream } from '../media/rtp-webm-writer.js';
import type { CodecName, MediaKind, PacketSource } from '../relay/packet-source.js';
import { RECORDING_PT, RecordingTrack } from '../relay/recording-track.js';
import type { RecordingFile } from '../store/recording-catalogue.js';

const log = logger('server:recording-parts');

/** Packets of sound (20 ms each) held back while a part waits for its first keyframe: 3 s. */
const HOLD_AUDIO = 150;

/** Where the parts are listed (the recording's entry in the catalogue). */
export interface PartsListing {
  /** A part starts being written. */
  add(file: RecordingFile): Promise<void>;
  /** A part's entry changed (its offset; its ffmpeg gone), or it is no file at all (`undefined`). */
  set(name: string, file: RecordingFile | undefined): Promise<void>;
}

export interface PartedFileOptions {
  readonly folder: string;
  /** The file name without extension (`program`, `seat-3`); parts after the first add `-2`, `-3`… */
  readonly stem: string;
  readonly meta: Omit<RecordingFile, 'name'>;
  readonly sources: ReadonlyMap<MediaKind, PacketSource>;
  /** When the recording started (nowMs): parts' offsets count from there. */
  readonly startedAt: () => number;
  readonly listing: PartsListing;
  /** A part stopped being written by itself (disk full, a write failed): its name and ffmpeg's last lines. */
  readonly onFailure: (name: string, stderrTail: readonly string[]) => void;
}

interface Held {
  readonly kind: MediaKind;
  readonly codec: CodecName;
  readonly rtp: Buffer;
  readonly at: number;
}

interface Part {
  readonly index: number;
  readonly file: RecordingFile;
  readonly writer: RtpWebmWriter;
  /** Its video codec; undefined: sound only. */
  readonly video: CodecName | undefined;
  /** Its codec is confirmed (or it has no picture to wait for): packets go straight in. */
  settled: boolean;
}

export class PartedFile {
  readonly #o: PartedFileOptions;
  readonly #tracks: RecordingTrack[];
  #current: Part | undefined;
  /** Packets waiting for the current part to be settled, opened, or replaced — in arrival order. */
  readonly #held: Held[] = [];
  /** A part being opened or replaced. */
  #busy: Promise<void> | undefined;
  readonly #finishing: Promise<void>[] = [];
  #listed: Promise<void> = Promise.resolve();
  #stopping = false;
  readonly #names: string[] = [];

  private constructor(o: PartedFileOptions) {
    this.#o = o;
    this.#tracks = [...o.sources.values()].map((s) => new RecordingTrack(s, (kind, codec, rtp) => this.#packet(kind, codec, rtp)));
  }

  static async start(o: PartedFileOptions): Promise<PartedFile> {
    const f = new PartedFile(o);
    const video = o.sources.has('video');
    try {
      f.#current = await f.#open(1, video ? 'vp8' : undefined, !video);
    } catch (err) {
      for (const t of f.#tracks) t.close();
      throw err;
    }
    f.#settle(); // what came while its ffmpeg started
    return f;
  }

  /** Resolves once the catalogue lists what has happened so far. */
  listed(): Promise<void> {
    return this.#listed;
  }

  sourceOf(kind: MediaKind): PacketSource | undefined {
    return this.#tracks.find((t) => t.kind === kind)?.source;
  }

  #packet(kind: MediaKind, codec: CodecName, rtp: Buffer): void {
    const at = nowMs();
    const cur = this.#current;
    if (cur?.settled && !this.#busy && this.#held.length === 0 && (kind === 'audio' || codec === cur.video)) this.#write(cur, kind, rtp, at);
    else {
      this.#held.push({ kind, codec, rtp, at });
      this.#settle();
    }
  }

  /** Write out what is held, opening or replacing parts as the packets require. */
  #settle(): void {
    while (!this.#busy && this.#held.length > 0) {
      const cur = this.#current;
      if (!cur) return; // no part (it failed to start): the recording is being stopped
      if (!cur.settled) {
        const video = this.#held.find((h) => h.kind === 'video');
        if (video?.codec === cur.video) cur.settled = true;
        else if (video || this.#stopping || this.#held.length > HOLD_AUDIO) this.#change(() => this.#replace(cur, video?.codec));
        else return; // wait for the keyframe that says which file this is
        continue;
      }
      const p = this.#held[0]!;
      if (p.kind === 'video' && p.codec !== cur.video) {
        this.#change(() => this.#roll(cur, p.codec));
        continue;
      }
      this.#held.shift();
      this.#write(cur, p.kind, p.rtp, p.at);
    }
  }

  #change(work: () => Promise<void>): void {
    this.#busy = (async () => {
      try {
        await work();
      } catch (err) {
        log('%s: %O', this.#o.stem, err);
        this.#o.onFailure(this.#o.stem, [err instanceof Error ? err.message : String(err)]);
      } finally {
        this.#busy = undefined;
      }
      this.#settle();
    })();
  }

  #write(part: Part, kind: MediaKind, rtp: Buffer, at: number): void {
    if (part.file.offset === undefined) {
      part.file.offset = Math.max(0, Math.round((at - this.#o.startedAt()) / 10) / 100);
      this.#list((l) => l.set(part.file.name, { ...part.file }));
    }
    part.writer.write(kind, rtp, at);
  }

  /** Catalogue changes of this file, in order. */
  #list(op: (l: PartsListing) => Promise<void>): Promise<void> {
    this.#listed = this.#listed.then(() => op(this.#o.listing)).catch((err: unknown) => log('listing %s: %O', this.#o.stem, err));
    return this.#listed;
  }

  async #open(index: number, video: CodecName | undefined, settled: boolean): Promise<Part> {
    const streams: RtpStream[] = [];
    if (this.#o.sources.has('audio')) streams.push({ kind: 'audio', payloadType: RECORDING_PT.opus, codec: 'opus' });
    if (video && this.#o.sources.has('video')) streams.push({ kind: 'video', payloadType: RECORDING_PT[video], codec: video });
    const name = `${this.#o.stem}${index > 1 ? `-${index}` : ''}.${containerOf(streams).ext}`;
    const writer = await RtpWebmWriter.start(join(this.#o.folder, name), streams);
    const file: RecordingFile = { name, ...this.#o.meta, pid: writer.pid };
    void writer.failed.then((tail) => this.#o.onFailure(name, tail));
    void this.#list((l) => l.add({ ...file }));
    this.#names.push(name);
    log('%s: part %s (%s)', this.#o.stem, name, streams.map((s) => s.codec).join('+'));
    return { index, file, writer, video, settled };
  }

  /** The part got nothing yet and its guess was wrong: the same part again, as `video` says (sound only: none). */
  async #replace(part: Part, video: CodecName | undefined): Promise<void> {
    this.#current = undefined;
    await this.#finish(part);
    this.#current = await this.#open(part.index, video, true);
  }

  /** The next part, from the packet that needs it (a keyframe of `video`). */
  async #roll(part: Part, video: CodecName): Promise<void> {
    this.#current = undefined;
    this.#finishing.push(this.#finish(part));
    this.#current = await this.#open(part.index + 1, video, true);
  }

  async #finish(part: Part): Promise<void> {
    const code = await part.writer.stop();
    const { audio, video } = part.writer.written;
    log('%s: ffmpeg exit %s, %d audio + %d video packets; %s', part.file.name, code, audio, video, part.writer.stderrTail.join(' | '));
    delete part.file.pid;
    if (part.writer.packets === 0) this.#names.splice(this.#names.indexOf(part.file.name), 1);
    await this.#list((l) => l.set(part.file.name, part.writer.packets > 0 ? { ...part.file } : undefined));
  }

  /** Finish every part: what the tracks still hold is written first. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#tracks) t.close();
    this.#settle();
    while (this.#busy) await this.#busy;
    this.#held.length = 0;
    const last = this.#current;
    this.#current = undefined;
    if (last) this.#finishing.push(this.#finish(last));
    await Promise.all(this.#finishing);
    await this.#listed;
    log('%s: %s; %s', this.#o.stem, this.#names.join(', ') || 'no media',
      this.#tracks.map((t) => `${t.kind} ${t.written} written, ${t.lost} given up`).join(', '));
  }
}
