// A media file played in real time by ffmpeg as VP8 (or H.264) + Opus RTP to two loopback UDP ports; packets come out
// of `onPacket` ready for a werift track's writeRtp.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { locate } from '../media/locate.js';

const log = logger('client:rtp-source');

export interface RtpSourceOptions {
  readonly file: string;
  readonly loop?: boolean;
  /** Video codec (default VP8; H.264 is constrained baseline, SPS/PPS before every keyframe). */
  readonly videoCodec?: 'vp8' | 'h264';
  /** Video bitrate, e.g. "800k". */
  readonly videoBitrate?: string;
  readonly onPacket: (kind: 'audio' | 'video', packet: Buffer) => void;
  readonly onExit?: (code: number | null) => void;
}

async function bindLoopback(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  return s;
}

export class RtpSource {
  readonly #child: ChildProcess;
  readonly #sockets: Socket[];
  #closed = false;
  readonly stderrTail: string[] = [];

  private constructor(child: ChildProcess, sockets: Socket[]) {
    this.#child = child;
    this.#sockets = sockets;
  }

  static async start(opts: RtpSourceOptions): Promise<RtpSource> {
    const [video, audio] = await Promise.all([bindLoopback(), bindLoopback()]);
    const vport = (video.address() as AddressInfo).port;
    const aport = (audio.address() as AddressInfo).port;
    video.on('message', (m) => opts.onPacket('video', m));
    audio.on('message', (m) => opts.onPacket('audio', m));
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-re', ...(opts.loop ? ['-stream_loop', '-1'] : []), '-i', opts.file,
      '-map', '0:v:0', ...(opts.videoCodec === 'h264'
        ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-level', '3.1', '-x264-params', 'repeat-headers=1']
        : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-error-resilient', '1', '-auto-alt-ref', '0']),
      '-b:v', opts.videoBitrate ?? '800k', '-g', '60', '-keyint_min', '60', '-pix_fmt', 'yuv420p', '-payload_type', '96', '-ssrc', '1111',
      '-f', 'rtp', `rtp://127.0.0.1:${vport}?pkt_size=1200`,
      '-map', '0:a:0?', '-c:a', 'libopus', '-b:a', '48k', '-ar', '48000', '-ac', '2', '-application', 'voip', '-payload_type', '111', '-ssrc', '2222',
      '-f', 'rtp', `rtp://127.0.0.1:${aport}?pkt_size=1200`,
    ];
    const child = spawn(locate('ffmpeg').path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const src = new RtpSource(child, [video, audio]);
    child.stderr!.on('data', (c: Buffer) => {
      for (const line of c.toString('utf8').split('\n')) if (line.trim()) src.stderrTail.push(line.trim());
      src.stderrTail.splice(0, Math.max(0, src.stderrTail.length - 20));
    });
    // ffmpeg would go on looping after this process ends without close() (a test runner's worker exiting).
    const orphaned = () => child.kill('SIGKILL');
    process.once('exit', orphaned);
    child.on('exit', (code) => {
      process.off('exit', orphaned);
      log('ffmpeg exited %s', code);
      if (!src.#closed) opts.onExit?.(code);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new RuntimeError('FFMPEG_FAILED', { input: opts.file, detail: err.message })));
    });
    return src;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#child.kill('SIGKILL');
    for (const s of this.#sockets) s.close();
  }
}
