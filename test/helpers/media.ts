// Test media made at run time with ffmpeg's lavfi sources (never committed), cached under .cache/fixtures.
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { locate } from '../../src/media/locate.js';

const execFileP = promisify(execFile);
const CACHE = fileURLToPath(new URL('../../.cache/fixtures/', import.meta.url));

export const ffmpeg = () => locate('ffmpeg').path;
export const ffprobe = () => locate('ffprobe').path;

/** Generate once per distinct argument list; concurrent workers each write a temp file and rename. */
export async function cached(name: string, ext: string, args: string[]): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 12);
  const out = join(CACHE, `${name}-${hash}${ext}`);
  if (existsSync(out)) return out;
  const tmp = join(CACHE, `.${name}-${hash}.${randomBytes(4).toString('hex')}${ext}`);
  await execFileP(ffmpeg(), ['-hide_banner', '-v', 'error', '-y', ...args, tmp], { maxBuffer: 64 * 1024 * 1024 });
  renameSync(tmp, out);
  return out;
}

export interface BarcodeSpec {
  duration: number;
  fps?: number;
  /** GOP length in frames. */
  gop?: number;
  audio?: boolean;
}

/**
 * A 160x96 H.264 video whose every frame shows its own frame number as 16 black/white bars,
 * with a fixed GOP and B-frames, plus a 440 Hz tone: frame accuracy can be read back exactly.
 */
export function barcodeVideo(spec: BarcodeSpec): Promise<string> {
  const fps = spec.fps ?? 30;
  const gop = spec.gop ?? 60;
  const lum = `255*mod(floor(floor(T*${fps}+0.5)/pow(2\\,floor(X*16/W)))\\,2)`;
  const args = ['-f', 'lavfi', '-i', `nullsrc=s=160x96:r=${fps}:d=${spec.duration},geq=lum='${lum}':cb=128:cr=128`];
  if (spec.audio !== false) args.push('-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${spec.duration}`);
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '3', '-pix_fmt', 'yuv420p');
  if (spec.audio !== false) args.push('-c:a', 'aac', '-shortest');
  return cached('barcode', '.mp4', args);
}

/** Decode every frame (no duplication or dropping) and read the frame number each one shows. */
export async function frameNumbers(path: string): Promise<number[]> {
  const { stdout } = await execFileP(ffmpeg(), ['-v', 'error', '-i', path, '-map', '0:v:0', '-vsync', '0', '-vf', 'scale=160:96', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    encoding: 'buffer',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const size = 160 * 96;
  const out: number[] = [];
  for (let off = 0; off + size <= stdout.length; off += size) {
    let n = 0;
    for (let b = 0; b < 16; b++) if (stdout[off + 48 * 160 + b * 10 + 5]! > 128) n += 2 ** b;
    out.push(n);
  }
  return out;
}

export async function probeJson(path: string): Promise<{ format: Record<string, string>; streams: Record<string, string | number>[] }> {
  const { stdout } = await execFileP(ffprobe(), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]);
  return JSON.parse(stdout) as { format: Record<string, string>; streams: Record<string, string | number>[] };
}

/**
 * Decode a file completely; the decoders' error lines (none for a clean file). The null muxer's notice about two
 * decoded frames sharing a timestamp (and its repeat count) is not a decoding error. The muxing queue is long enough
 * for a file whose video starts seconds after its sound (ffmpeg would otherwise stop: "Too many packets buffered").
 */
export function decodeErrors(path: string): string[] {
  const r = spawnSync(ffmpeg(), ['-v', 'error', '-i', path, '-max_muxing_queue_size', '4096', '-f', 'null', '-'], { encoding: 'utf8' });
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  return lines.filter((l, i) => !/non monotonically increasing dts to muxer/.test(l)
    && !(/Last message repeated/.test(l) && /non monotonically increasing dts to muxer/.test(lines[i - 1] ?? '')));
}
