// A voice notice's audio: ffprobe checks that a file is one audio stream of at most MAX_NOTICE_SECONDS (its length
// counted from its packets: a browser's MediaRecorder writes WebM without a duration), then the file is kept as
// sent when it already is Opus in Ogg or WebM, else transcoded to Opus in Ogg. A MediaRecorder WebM (no duration,
// no cues) is remuxed with its Opus packets untouched, so players can show its length and seek.
import { RuntimeError, UsageError } from '../core/errors.js';
import { runFfmpeg, runTool } from './ffmpeg.js';

/** Longest voice notice, seconds. */
export const MAX_NOTICE_SECONDS = 60;
/** A recorder stopped at 60 s may write a few more packets: this much over the limit still passes. */
export const NOTICE_SECONDS_SLACK = 0.5;
/** ffprobe and ffmpeg get this long per file (a 2 MiB file takes well under a second). */
const TOOL_TIMEOUT_MS = 30_000;
/** Bit rate of transcoded notices: speech in Opus is clear at this rate. */
const OPUS_BITRATE = '32k';

export interface VoiceFacts {
  readonly seconds: number;
  readonly codec: string;
  /** ffprobe's format name (`ogg`, `matroska,webm`, `mp3`, `wav`, …). */
  readonly format: string;
  readonly audioStreams: number;
  readonly otherStreams: number;
  /** Whether the container states its duration (MediaRecorder WebM does not). */
  readonly statesDuration: boolean;
}

interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string }[];
  packets?: { pts_time?: string; duration_time?: string }[];
}

/** What ffprobe finds in `path`; NOTICE_NOT_AUDIO when it reads no media there at all. */
export async function voiceFacts(path: string): Promise<VoiceFacts> {
  const ffprobe = (args: string[]) =>
    runTool('ffprobe', ['-v', 'error', '-of', 'json', ...args, path], { inputName: path, captureStdout: true, signal: AbortSignal.timeout(TOOL_TIMEOUT_MS) })
      .then((r) => JSON.parse(r.stdout.toString('utf8')) as ProbeJson)
      .catch((err: unknown) => {
        if (err instanceof RuntimeError && err.code === 'FFPROBE_FAILED') throw new UsageError('NOTICE_NOT_AUDIO', { detail: 'not a media file' });
        throw err;
      });
  const info = await ffprobe(['-show_format', '-show_streams']);
  const streams = info.streams ?? [];
  const audio = streams.filter((s) => s.codec_type === 'audio');
  const facts = {
    codec: audio[0]?.codec_name ?? '',
    format: info.format?.format_name ?? '',
    audioStreams: audio.length,
    otherStreams: streams.length - audio.length,
    statesDuration: Number(info.format?.duration) > 0,
  };
  if (audio.length === 0) return { ...facts, seconds: 0 };
  const { packets = [] } = await ffprobe(['-select_streams', 'a:0', '-show_entries', 'packet=pts_time,duration_time']);
  let first = Infinity;
  let end = 0;
  for (const p of packets) {
    const pts = Number(p.pts_time);
    if (!Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    end = Math.max(end, pts + (Number(p.duration_time) || 0));
  }
  const seconds = Number.isFinite(first) ? end - Math.max(0, first) : 0;
  return { ...facts, seconds: Math.round(seconds * 100) / 100 };
}

/** Refused unless the facts describe one audio stream of a length a notice may have. */
export function assertVoiceNotice(f: VoiceFacts): void {
  if (f.audioStreams !== 1) throw new UsageError('NOTICE_NOT_AUDIO', { detail: `${f.audioStreams} audio streams` });
  if (f.seconds <= 0) throw new UsageError('NOTICE_NOT_AUDIO', { detail: 'no sound in it' });
  if (f.seconds > MAX_NOTICE_SECONDS + NOTICE_SECONDS_SLACK) throw new UsageError('NOTICE_TOO_LONG', { max: MAX_NOTICE_SECONDS, seconds: f.seconds });
}

export type StoredAudio = { readonly mime: 'audio/ogg' | 'audio/webm'; readonly action: 'keep' | 'remux' | 'transcode' };

/** How a checked file is stored: kept (Opus in Ogg/WebM), remuxed (a WebM without its duration), or transcoded. */
export function storagePlan(f: VoiceFacts): StoredAudio {
  const alone = f.audioStreams === 1 && f.otherStreams === 0 && f.codec === 'opus';
  if (alone && f.format === 'ogg') return { mime: 'audio/ogg', action: 'keep' };
  if (alone && f.format.split(',').includes('webm')) return { mime: 'audio/webm', action: f.statesDuration ? 'keep' : 'remux' };
  return { mime: 'audio/ogg', action: 'transcode' };
}

/** Write `input`'s first audio stream to `output` as the plan says (not called for `keep`). */
export async function storeAudio(input: string, output: string, plan: StoredAudio): Promise<void> {
  const codec = plan.action === 'remux' ? ['-c:a', 'copy', '-f', 'webm'] : ['-c:a', 'libopus', '-b:a', OPUS_BITRATE, '-f', 'ogg'];
  await runFfmpeg(
    ['-y', '-v', 'error', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1', '-t', String(MAX_NOTICE_SECONDS + 1), ...codec, output],
    { inputName: input, signal: AbortSignal.timeout(TOOL_TIMEOUT_MS) },
  );
}
