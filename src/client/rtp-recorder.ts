// Records received RTP (VP8 + Opus) to WebM with ffmpeg: packets are re-sent to ffmpeg's RTP demuxer on loopback
// (its jitter buffer reorders them), described by an SDP file; `stop()` interrupts ffmpeg so it finishes the
// file (duration and cues written, seekable).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { MediaStreamTrack } from 'werift';
import { RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { locate } from '../media/locate.js';

const log = logger('client:recorder');

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
    probe.forEach((p) => { try { p.close(); } catch (err) { log('close probe: %O', err); } });
    if (ok.every(Boolean)) return port;
  }
  throw new RuntimeError('FFMPEG_FAILED', { input: 'recorder', detail: 'no free UDP ports' });
}

export interface RecordedTrack {
  readonly kind: 'audio' | 'video';
  readonly track: MediaStreamTrack;
}

export class RtpRecorder {
  readonly #child: ChildProcess;
  readonly #socket: Socket;
  readonly #dir: string;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #exited: Promise<number | null>;
  #stopped = false;

  private constructor(child: ChildProcess, socket: Socket, dir: string) {
    this.#child = child;
    this.#socket = socket;
    this.#dir = dir;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Start recording `tracks` (one audio, one video) to `path` (.webm). */
  static async start(path: string, tracks: readonly RecordedTrack[]): Promise<RtpRecorder> {
    const dir = await mkdtemp(join(tmpdir(), 'jiaoyan-rec-'));
    const ports = new Map<'audio' | 'video', number>();
    const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=jiaoyan', 'c=IN IP4 127.0.0.1', 't=0 0'];
    for (const t of tracks) {
      const port = await freePortPair();
      ports.set(t.kind, port);
      // The payload type the relay negotiated with us: from the codec, else from the first packet.
      const pt = t.track.codec?.payloadType ?? (await t.track.onReceiveRtp.asPromise())[0].header.payloadType;
      if (t.kind === 'audio') lines.push(`m=audio ${port} RTP/AVP ${pt}`, `a=rtpmap:${pt} opus/48000/2`);
      else lines.push(`m=video ${port} RTP/AVP ${pt}`, `a=rtpmap:${pt} VP8/90000`);
    }
    const sdp = join(dir, 'in.sdp');
    await writeFile(sdp, lines.join('\r\n') + '\r\n');
    const child = spawn(locate('ffmpeg').path, [
      '-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-reorder_queue_size', '500',
      '-max_delay', '500000', '-i', sdp, '-map', '0', '-c', 'copy', '-f', 'webm', '-y', path,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => log('ffmpeg: %s', c.toString('utf8').trim()));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new RuntimeError('FFMPEG_FAILED', { input: path, detail: err.message })));
    });
    const socket = createSocket('udp4');
    const rec = new RtpRecorder(child, socket, dir);
    for (const t of tracks) {
      const port = ports.get(t.kind)!;
      const { unSubscribe } = t.track.onReceiveRtp.subscribe((p) => {
        socket.send(p.serialize(), port, '127.0.0.1');
      });
      rec.#unsubscribe.push(unSubscribe);
    }
    return rec;
  }

  /** Finish the file: ffmpeg writes its index and exits. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // SIGINT interrupts ffmpeg's blocking UDP read (a `q` on stdin is only seen between packets), and it
    // then finishes the file as on Ctrl-C.
    this.#child.kill('SIGINT');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
    for (const u of this.#unsubscribe) u();
    this.#socket.close();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
