// RTP (VP8 + Opus) to a WebM file with ffmpeg: packets are sent to ffmpeg's RTP demuxer on loopback (its reorder
// queue puts late packets back in order), described by an SDP file. The file is written as it goes — a cluster
// every second, flushed — so a crash loses at most the last second and `repairWebm` makes the rest seekable;
// `stop()` interrupts ffmpeg so it finishes the file properly (duration and cues written).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { locate } from './locate.js';

const log = logger('media:rtp-webm');

export interface RtpStream {
  readonly kind: 'audio' | 'video';
  /** The payload type the packets carry. */
  readonly payloadType: number;
}

/** Two consecutive free UDP ports (RTP, RTCP) on loopback, even first. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port & ~1;
    s.close();
    const probe = [createSocket('udp4'), createSocket('udp4')];
    const ok = await Promise.all(probe.map((p, i) => new Promise<boolean>((r) => {
      p.once('error', () => r(false));
      p.bind(port + i, '127.0.0.1', () => r(true));
    })));
    for (const p of probe) {
      try {
        p.close();
      } catch (err) {
        log('close probe: %O', err);
      }
    }
    if (ok.every(Boolean)) return port;
  }
  throw new RuntimeError('FFMPEG_FAILED', { input: 'recorder', detail: 'no free UDP ports' });
}

export class RtpWebmWriter {
  readonly path: string;
  readonly #child: ChildProcess;
  readonly #socket: Socket;
  readonly #dir: string;
  readonly #ports: ReadonlyMap<'audio' | 'video', number>;
  readonly #exited: Promise<number | null>;
  readonly stderrTail: string[] = [];
  /**
   * Resolves with ffmpeg's last error lines if it ends by itself (the disk is full, a write failed); never when
   * it was stopped.
   */
  readonly failed: Promise<readonly string[]>;
  /** The last packet of each stream, to wake ffmpeg's read when stopping. */
  readonly #last = new Map<'audio' | 'video', Buffer>();
  #stopped = false;

  private constructor(path: string, child: ChildProcess, socket: Socket, dir: string, ports: Map<'audio' | 'video', number>) {
    this.path = path;
    this.#child = child;
    this.#socket = socket;
    this.#dir = dir;
    this.#ports = ports;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // 'close' comes after stderr's last data, so the tail is complete.
    this.failed = new Promise((resolve) => child.once('close', () => {
      if (!this.#stopped) resolve(this.stderrTail);
    }));
  }

  /** The ffmpeg process id (kept by the recording catalogue, to stop an orphan after a crash). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Start writing `streams` (at most one audio and one video) to `path`. */
  static async start(path: string, streams: readonly RtpStream[]): Promise<RtpWebmWriter> {
    const dir = await mkdtemp(join(tmpdir(), 'jiaoyan-rec-'));
    const ports = new Map<'audio' | 'video', number>();
    const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=jiaoyan', 'c=IN IP4 127.0.0.1', 't=0 0'];
    for (const s of streams) {
      const port = await freePortPair();
      ports.set(s.kind, port);
      if (s.kind === 'audio') lines.push(`m=audio ${port} RTP/AVP ${s.payloadType}`, `a=rtpmap:${s.payloadType} opus/48000/2`);
      else lines.push(`m=video ${port} RTP/AVP ${s.payloadType}`, `a=rtpmap:${s.payloadType} VP8/90000`);
    }
    const sdp = join(dir, 'in.sdp');
    await writeFile(sdp, lines.join('\r\n') + '\r\n');
    const child = spawn(locate('ffmpeg').path, [
      '-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-reorder_queue_size', '500',
      // Writing starts once the first keyframe (video) has given the picture size: no long probing.
      // Probing (stream sizes) is capped at 2 s of input, so even a short recording gets its header written.
      '-max_delay', '500000', '-analyzeduration', '2000000', '-i', sdp, '-map', '0', '-c', 'copy',
      // A cluster a second, flushed at once: what is on disk is at most a second behind.
      '-cluster_time_limit', '1000', '-flush_packets', '1', '-f', 'webm', '-y', path,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new RuntimeError('FFMPEG_FAILED', { input: path, detail: err.message })));
    });
    const writer = new RtpWebmWriter(path, child, createSocket('udp4'), dir, ports);
    child.stderr!.on('data', (c: Buffer) => {
      for (const line of c.toString('utf8').split('\n')) if (line.trim()) writer.stderrTail.push(line.trim());
      writer.stderrTail.splice(0, Math.max(0, writer.stderrTail.length - 20));
    });
    return writer;
  }

  /** One RTP packet (serialised) of the audio or video stream. */
  write(kind: 'audio' | 'video', rtp: Buffer): void {
    const port = this.#ports.get(kind);
    if (port === undefined) return;
    this.#last.set(kind, rtp);
    this.#socket.send(rtp, port, '127.0.0.1');
  }

  /** Finish the file: ffmpeg writes its index and exits. Idempotent; resolves with ffmpeg's exit code. */
  async stop(): Promise<number | null> {
    if (!this.#stopped) {
      this.#stopped = true;
      // On SIGINT ffmpeg finishes the file as on Ctrl-C — but only once its UDP read returns, which without
      // traffic takes its 10 s timeout. So wake the read by sending the last packet again (a duplicate the
      // demuxer drops) until it exits.
      this.#child.kill('SIGINT');
      const nudge = setInterval(() => {
        for (const [kind, rtp] of this.#last) this.#socket.send(rtp, this.#ports.get(kind)!, '127.0.0.1');
      }, 50);
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearInterval(nudge);
      clearTimeout(timer);
      this.#socket.close();
      await rm(this.#dir, { recursive: true, force: true });
    }
    return this.#exited;
  }
}

/**
 * Make a WebM left behind by a crash seekable with the right duration: remux what can be read (every complete
 * cluster) into a temp file beside it and rename it over the original.
 */
export async function repairWebm(path: string): Promise<void> {
  const tmp = `${path}.repair-${process.pid}.webm`;
  const child = spawn(locate('ffmpeg').path, ['-hide_banner', '-loglevel', 'error', '-err_detect', 'ignore_err', '-i', path, '-map', '0', '-c', 'copy', '-f', 'webm', '-y', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const { rename, rm: remove, stat } = await import('node:fs/promises');
  const size = await stat(tmp).then((s) => s.size, () => 0);
  if (code !== 0 && size === 0) {
    await remove(tmp, { force: true });
    throw new RuntimeError('FFMPEG_FAILED', { input: path, detail: stderr.trim().split('\n').at(-1) ?? `exit ${code}` });
  }
  await rename(tmp, path);
}
