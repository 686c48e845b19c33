// ffprobe wrappers: stream facts of an input, and its video packets (times, keyframes) in a range.
import { access, constants, stat } from 'node:fs/promises';
import { RuntimeError } from '../core/errors.js';
import { runTool } from './ffmpeg.js';

export interface VideoInfo {
  readonly codec: string;
  readonly profile?: string;
  readonly pixFmt?: string;
  readonly width: number;
  readonly height: number;
  /** Frames per second (average frame rate, else r_frame_rate). */
  readonly fps: number;
  readonly fpsFraction: string;
}

export interface AudioInfo {
  readonly codec: string;
  readonly sampleRate: number;
  readonly channels: number;
}

export interface MediaInfo {
  readonly path: string;
  readonly duration: number;
  readonly startTime: number;
  readonly formatName: string;
  readonly size: number;
  readonly video?: VideoInfo;
  readonly audio?: AudioInfo;
}

export interface PacketTime {
  /** Presentation time relative to the file's start, seconds. */
  readonly t: number;
  readonly key: boolean;
}

function fraction(v: unknown): number {
  if (typeof v !== 'string') return 0;
  const [n, d] = v.split('/').map(Number);
  if (!n || !d) return 0;
  return n / d;
}

/** Fail with exit 1 and the path when the input is missing or unreadable. */
export async function assertReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new RuntimeError('INPUT_UNREADABLE', { path, detail: 'not a file' });
    await access(path, constants.R_OK);
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RuntimeError('INPUT_MISSING', { path });
    throw new RuntimeError('INPUT_UNREADABLE', { path, detail: code ?? String(err) });
  }
}

export async function probe(path: string, signal?: AbortSignal): Promise<MediaInfo> {
  await assertReadable(path);
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    { inputName: path, captureStdout: true, ...(signal ? { signal } : {}) },
  );
  const json = JSON.parse(stdout.toString('utf8')) as {
    format?: Record<string, string>;
    streams?: Record<string, unknown>[];
  };
  const format = json.format ?? {};
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !(s.disposition as Record<string, number> | undefined)?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  let video: VideoInfo | undefined;
  if (v) {
    const avg = fraction(v.avg_frame_rate);
    const fps = avg > 0 && avg < 1000 ? avg : fraction(v.r_frame_rate);
    video = {
      codec: String(v.codec_name),
      ...(typeof v.profile === 'string' ? { profile: v.profile } : {}),
      ...(typeof v.pix_fmt === 'string' ? { pixFmt: v.pix_fmt } : {}),
      width: Number(v.width),
      height: Number(v.height),
      fps,
      fpsFraction: avg > 0 && avg < 1000 ? String(v.avg_frame_rate) : String(v.r_frame_rate),
    };
  }
  const audio: AudioInfo | undefined = a
    ? { codec: String(a.codec_name), sampleRate: Number(a.sample_rate), channels: Number(a.channels) }
    : undefined;
  const duration = Number(format.duration ?? (v?.duration as string | undefined) ?? 0);
  return {
    path,
    duration: Number.isFinite(duration) ? duration : 0,
    startTime: Number(format.start_time ?? 0) || 0,
    formatName: String(format.format_name ?? ''),
    size: Number(format.size ?? 0),
    ...(video ? { video } : {}),
    ...(audio ? { audio } : {}),
  };
}

/**
 * Video packets whose presentation time lies in [from, to] (seconds from the file's start),
 * sorted by presentation time.
 */
export async function videoPackets(info: MediaInfo, from: number, to: number, signal?: AbortSignal): Promise<PacketTime[]> {
  const a = Math.max(0, from) + info.startTime;
  const b = to + info.startTime;
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', `${a.toFixed(6)}%${b.toFixed(6)}`,
      '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', info.path],
    { inputName: info.path, captureStdout: true, ...(signal ? { signal } : {}) },
  );
  const out: PacketTime[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    const [pts, flags] = line.trim().split(',');
    if (!pts || pts === 'N/A') continue;
    const t = Number(pts) - info.startTime;
    if (Number.isFinite(t) && t >= from - 1e-6 && t <= to + 1e-6) out.push({ t, key: (flags ?? '').includes('K') });
  }
  return out.sort((x, y) => x.t - y.t);
}

/** Frame count, duration and first timestamp of a finished output's video stream, for verification. */
export async function videoStreamStats(path: string, signal?: AbortSignal): Promise<{ frames: number; duration: number; startTime: number }> {
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets,duration,start_time', '-of', 'json', path],
    { inputName: path, captureStdout: true, ...(signal ? { signal } : {}) },
  );
  const s = (JSON.parse(stdout.toString('utf8')) as { streams?: Record<string, string>[] }).streams?.[0] ?? {};
  return { frames: Number(s.nb_read_packets) || 0, duration: Number(s.duration) || 0, startTime: Number(s.start_time) || 0 };
}
