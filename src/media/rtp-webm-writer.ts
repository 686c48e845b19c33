// RTP (VP8 or H.264 video, Opus audio) to a WebM or Matroska file with ffmpeg: packets are sent to ffmpeg's RTP
// demuxer on loopback, described by an SDP file, and copied into the file as they are (no re-encoding). The file is
// written as it goes — a cluster every second, flushed — so a crash loses at most the last second and `repairWebm`
// makes the rest seekable. Sender reports put the streams on one clock (rtcp-sync.ts). `stop()` ends the input
// with an RTCP BYE on every stream: ffmpeg writes out everything it holds — even a recording shorter than its
// probing, which an interrupt would lose — and finishes the file (duration and cues); nothing written, no file.
//
// Containers, and why a recording can be several files. WebM holds only VP8/VP9/AV1 and Opus/Vorbis, so H.264 is
// written as Matroska (.mkv): the same format underneath (same clusters, same crash behaviour, same repair by
// remuxing), played by Chromium-based browsers and every desktop player. One track of a file cannot change codec,
// and a program's main venue may move between a VP8 venue and an H.264 venue mid-lesson, so such a program is
// recorded as consecutive parts, one per codec stretch, each a complete file listed in order in the catalogue with
// its offset on the lesson's timeline (server/recording-parts.ts): `program.webm`, `program-2.mkv`,
// `program-3.webm`… The common VP8-only lesson stays exactly one `program.webm`; an H.264-only lesson is one
// `program.mkv`. Not chosen: re-encoding H.264 stretches to VP8 live (a school relay has two cores to spare for
// forwarding, not for a second encoder, and the picture would lose quality), and one file with a VP8 track and an
// H.264 track (players show one video track: the other stretches would be black).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { locate } from './locate.js';
import { freePortPair, whenBound } from './loopback-ports.js';
import { bye, keepAlive, StreamClock } from './rtcp-sync.js';

const log = logger('media:rtp-webm');

export type RtpCodec = 'vp8' | 'h264' | 'opus';
type Kind = 'audio' | 'video';

export interface RtpStream {
  readonly kind: Kind;
  /** The payload type the packets carry. */
  readonly payloadType: number;
  /** Default: Opus for audio, VP8 for video. */
  readonly codec?: RtpCodec;
}

const RTPMAP: Record<RtpCodec, string> = { opus: 'opus/48000/2', vp8: 'VP8/90000', h264: 'H264/90000' };
const CLOCK: Record<Kind, number> = { audio: 48000, video: 90000 };
/** Packets sent to ffmpeg in one go when catching up; then the event loop (and ffmpeg) get a turn. */
const BURST = 64;
/** A stream quiet this long gets a keep-alive (ffmpeg gives up on its input after 10 s without a datagram). */
const KEEP_ALIVE_MS = 2000;

/**
 * ffmpeg's H.264 parser loses the timestamp of the first frame it reads from RTP (it matches timestamps to frames by
 * byte position, which RTP does not give), and the copy then stamps that keyframe and the frames after it several
 * frames late. So an H.264 stream starts with a lone slice header — a frame to lose: it is no keyframe, so ffmpeg
 * drops it (its decoder says once that it cannot decode it). Same SSRC and timestamp as `first`, just before it.
 */
function h264Primer(first: Buffer): Buffer {
  const p = Buffer.alloc(15);
  p[0] = 0x80;
  p[1] = first[1]! & 0x7f;
  p.writeUInt16BE((first.readUInt16BE(2) - 1) & 0xffff, 2);
  first.copy(p, 4, 4, 12);
  // NAL type 1 (non-IDR slice), first_mb_in_slice 0, P slice, PPS 0.
  p.set([0x01, 0xe0, 0x10], 12);
  return p;
}

/** The container for these streams: WebM unless one is H.264 (Matroska). */
export function containerOf(streams: readonly RtpStream[]): { ext: 'webm' | 'mkv'; format: 'webm' | 'matroska' } {
  return streams.some((s) => s.codec === 'h264') ? { ext: 'mkv', format: 'matroska' } : { ext: 'webm', format: 'webm' };
}

/** A monotonic clock in wall-clock milliseconds (for packet arrival times). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export class RtpWebmWriter {
  readonly path: string;
  readonly #child: ChildProcess;
  readonly #socket: Socket;
  readonly #dir: string;
  readonly #ports: ReadonlyMap<Kind, number>;
  readonly #codecs: ReadonlyMap<Kind, RtpCodec>;
  readonly #clocks = new Map<Kind, StreamClock>();
  readonly #exited: Promise<number | null>;
  readonly #bound: Promise<void>;
  readonly stderrTail: string[] = [];
  /**
   * Resolves with ffmpeg's last error lines if it ends by itself (the disk is full, a write failed); never when
   * it was stopped.
   */
  readonly failed: Promise<readonly string[]>;
  /** Packets not sent yet: ffmpeg is not listening yet, or is being caught up. */
  readonly #queue: { kind: Kind; rtp: Buffer; at: number }[] = [];
  #draining: Promise<void> | undefined;
  /** ffmpeg has bound its ports (or is taken to have): packets go straight out once nothing is queued. */
  #listening = false;
  /** Packets handed to ffmpeg, per stream. */
  readonly written: Record<Kind, number> = { audio: 0, video: 0 };
  #lastSent = nowMs();
  readonly #keepAlive: NodeJS.Timeout;
  #stopped = false;

  private constructor(path: string, child: ChildProcess, dir: string, ports: Map<Kind, number>, codecs: Map<Kind, RtpCodec>) {
    this.path = path;
    this.#codecs = codecs;
    this.#child = child;
    this.#socket = createSocket('udp4');
    this.#socket.on('error', (err) => log('%s: socket: %O', path, err));
    this.#dir = dir;
    this.#ports = ports;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.#bound = whenBound([...ports.values()], this.#exited);
    this.#keepAlive = setInterval(() => {
      if (nowMs() - this.#lastSent < KEEP_ALIVE_MS || this.#draining) return;
      for (const port of this.#ports.values()) this.#socket.send(keepAlive(), port, '127.0.0.1');
    }, KEEP_ALIVE_MS);
    this.#keepAlive.unref();
    void this.#exited.then(() => clearInterval(this.#keepAlive));
    // 'close' comes after stderr's last data, so the tail is complete.
    this.failed = new Promise((resolve) => child.once('close', () => {
      if (!this.#stopped) resolve(this.stderrTail);
    }));
  }

  /** The ffmpeg process id (kept by the recording catalogue, to stop an orphan after a crash). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Packets handed to ffmpeg so far. */
  get packets(): number {
    return this.written.audio + this.written.video;
  }

  /** Start writing `streams` (at most one audio and one video) to `path`, whose extension is containerOf's. */
  static async start(path: string, streams: readonly RtpStream[]): Promise<RtpWebmWriter> {
    const container = containerOf(streams);
    if (extname(path) !== `.${container.ext}`) throw new RuntimeError('FFMPEG_FAILED', { input: path, detail: `these streams are written as .${container.ext}` });
    const dir = await mkdtemp(join(tmpdir(), 'jiaoyan-rec-'));
    const ports = new Map<Kind, number>();
    const codecs = new Map<Kind, RtpCodec>();
    const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=jiaoyan', 'c=IN IP4 127.0.0.1', 't=0 0'];
    for (const s of streams) {
      const port = await freePortPair();
      const codec = s.codec ?? (s.kind === 'audio' ? 'opus' : 'vp8');
      ports.set(s.kind, port);
      codecs.set(s.kind, codec);
      lines.push(`m=${s.kind} ${port} RTP/AVP ${s.payloadType}`, `a=rtpmap:${s.payloadType} ${RTPMAP[codec]}`);
      if (codec === 'h264') lines.push(`a=fmtp:${s.payloadType} packetization-mode=1`);
    }
    const sdp = join(dir, 'in.sdp');
    await writeFile(sdp, lines.join('\r\n') + '\r\n');
    const child = spawn(locate('ffmpeg').path, [
      '-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp',
      // Room for a backlog sent at once (a part starting); packets come in order already (the recording's jitter
      // buffer), the reorder queue is a second line of defence.
      '-buffer_size', String(4 * 1024 * 1024), '-reorder_queue_size', '500', '-max_delay', '500000',
      // Writing starts once the first keyframe has given the picture size. Probing may take up to 5 s of input —
      // longer than the sound a part holds back before its first keyframe — and a stop ends it at once (BYE).
      '-analyzeduration', '5000000', '-i', sdp, '-map', '0', '-c', 'copy',
      // The sound that comes before the first video keyframe waits in the muxing queue (ffmpeg's default, 128
      // packets, is 2.6 s of Opus: a later keyframe cut the file's start). Room for 80 s.
      '-max_muxing_queue_size', '4096',
      // A cluster a second, flushed at once: what is on disk is at most a second behind.
      '-cluster_time_limit', '1000', '-flush_packets', '1', '-f', container.format, '-y', path,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new RuntimeError('FFMPEG_FAILED', { input: path, detail: err.message })));
    });
    const writer = new RtpWebmWriter(path, child, dir, ports, codecs);
    child.stderr!.on('data', (c: Buffer) => {
      for (const line of c.toString('utf8').split('\n')) if (line.trim()) writer.stderrTail.push(line.trim());
      writer.stderrTail.splice(0, Math.max(0, writer.stderrTail.length - 20));
    });
    return writer;
  }

  /** One RTP packet (serialised) of the audio or video stream, which arrived at `at` (ms, see nowMs). */
  write(kind: Kind, rtp: Buffer, at = nowMs()): void {
    if (this.#stopped || !this.#ports.has(kind)) return;
    if (this.#listening && !this.#draining) this.#send(kind, rtp, at);
    else {
      this.#queue.push({ kind, rtp, at });
      this.#draining ??= this.#drain();
    }
  }

  /** Send what is queued once ffmpeg listens, a burst at a time. */
  async #drain(): Promise<void> {
    await this.#bound;
    this.#listening = true;
    while (this.#queue.length > 0) {
      for (const p of this.#queue.splice(0, BURST)) this.#send(p.kind, p.rtp, p.at);
      if (this.#queue.length > 0) await new Promise((r) => setImmediate(r));
    }
    this.#draining = undefined;
  }

  #send(kind: Kind, rtp: Buffer, at: number): void {
    const port = this.#ports.get(kind)!;
    let clock = this.#clocks.get(kind);
    const first = !clock;
    if (!clock) this.#clocks.set(kind, (clock = new StreamClock(CLOCK[kind])));
    const report = clock.reportBefore(rtp, at);
    if (report) this.#socket.send(report, port, '127.0.0.1');
    if (first && this.#codecs.get(kind) === 'h264') this.#socket.send(h264Primer(rtp), port, '127.0.0.1');
    this.#socket.send(rtp, port, '127.0.0.1');
    this.written[kind]++;
    this.#lastSent = nowMs();
  }

  /**
   * Finish the file: ffmpeg writes out what it holds, its index, and exits. With nothing written there is no file
   * (ffmpeg is stopped and anything at `path` removed). Idempotent; resolves with ffmpeg's exit code.
   */
  async stop(): Promise<number | null> {
    if (!this.#stopped) {
      while (this.#draining) await this.#draining;
      this.#stopped = true;
      clearInterval(this.#keepAlive);
      if (this.packets === 0) {
        this.#child.kill('SIGKILL');
        await this.#exited;
        await rm(this.path, { force: true });
      } else {
        // The BYEs follow each stream's last packet on its socket, so ffmpeg has read everything when it sees them;
        // sent again until it exits (one lost on a full socket buffer), then interrupted, then killed.
        const end = () => {
          for (const port of this.#ports.values()) this.#socket.send(bye(0), port, '127.0.0.1');
        };
        end();
        const again = setInterval(end, 250);
        const interrupt = setTimeout(() => this.#child.kill('SIGINT'), 5000);
        const kill = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
        await this.#exited;
        clearInterval(again);
        clearTimeout(interrupt);
        clearTimeout(kill);
      }
      this.#socket.close();
      await rm(this.#dir, { recursive: true, force: true });
    }
    return this.#exited;
  }
}

/**
 * Make a WebM or Matroska file left behind by a crash seekable with the right duration: remux what can be read
 * (every complete cluster) into a temp file beside it and rename it over the original.
 */
export async function repairWebm(path: string): Promise<void> {
  const format = extname(path) === '.mkv' ? 'matroska' : 'webm';
  const tmp = `${path}.repair-${process.pid}${extname(path)}`;
  const child = spawn(locate('ffmpeg').path, ['-hide_banner', '-loglevel', 'error', '-err_detect', 'ignore_err', '-i', path, '-map', '0', '-c', 'copy', '-f', format, '-y', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const size = await stat(tmp).then((s) => s.size, () => 0);
  if (code !== 0 && size === 0) {
    await rm(tmp, { force: true });
    throw new RuntimeError('FFMPEG_FAILED', { input: path, detail: stderr.trim().split('\n').at(-1) ?? `exit ${code}` });
  }
  await rename(tmp, path);
}
