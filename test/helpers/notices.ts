// Voice-notice fixtures made at run time with ffmpeg's lavfi sources (never committed), and raw HTTPS requests to
// the relay's notices API (member header or `?m=`, any body, streamed or declared).
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cached, ffmpeg } from './media.js';
import { tempDir } from './cli.js';

const execFileP = promisify(execFile);

/** A tone of `seconds` as Opus in Ogg (what Firefox's MediaRecorder and `notice add` send). */
export const opusOgg = (seconds: number) =>
  cached(`notice-${seconds}s`, '.ogg', ['-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`, '-c:a', 'libopus', '-b:a', '24k']);
export const mp3 = (seconds: number) => cached(`notice-${seconds}s`, '.mp3', ['-f', 'lavfi', '-i', `sine=f=330:r=44100:d=${seconds}`, '-c:a', 'libmp3lame', '-b:a', '64k']);
export const wav = (seconds: number) => cached(`notice-${seconds}s`, '.wav', ['-f', 'lavfi', '-i', `sine=f=550:r=16000:d=${seconds}`, '-c:a', 'pcm_s16le']);
/** Pictures without any sound. */
export const videoOnly = () => cached('notice-video-only', '.mp4', ['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=10:d=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);

/**
 * Opus in WebM written to a pipe, as a browser's MediaRecorder writes it: no duration and no cues in the file
 * (the muxer cannot seek back to fill them in).
 */
export async function streamedWebm(seconds: number): Promise<string> {
  const dir = join(tempDir('jiaoyan-notice-'), 'webm');
  mkdirSync(dir, { recursive: true });
  const { stdout } = await execFileP(ffmpeg(), ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`, '-c:a', 'libopus', '-f', 'webm', 'pipe:1'], {
    encoding: 'buffer', maxBuffer: 16 * 1024 * 1024,
  });
  const out = join(dir, 'recorded.webm');
  writeFileSync(`${out}.tmp`, stdout);
  renameSync(`${out}.tmp`, out);
  return out;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The JSON body (`{}` when it is not JSON). */
  json: Record<string, unknown>;
}

export interface NoticeRequest {
  token?: string;
  /** Put the token in `?m=` instead of the header. */
  inQuery?: boolean;
  body?: Buffer;
  /** Send the body chunked (no Content-Length), in pieces of this size. */
  chunked?: number;
  /** Send the first piece, then wait for this before the rest: an upload the relay is in the middle of. */
  hold?: Promise<void>;
  headers?: Record<string, string>;
}

/** One request to the relay (trusting its CA); resolves with whatever it answers. */
export function noticeRequest(base: string, ca: string, method: string, path: string, opts: NoticeRequest = {}): Promise<Reply> {
  const url = new URL(path, base);
  if (opts.token && opts.inQuery) url.searchParams.set('m', opts.token);
  const headers: Record<string, string> = { ...(opts.token && !opts.inQuery ? { 'X-Jiaoyan-Member': opts.token } : {}), ...opts.headers };
  if (opts.body && !opts.chunked) headers['content-length'] = String(opts.body.length);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = request(url, { method, ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        settled = true;
        const body = Buffer.concat(chunks);
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          json = {};
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    // Writing on after the relay answered (a refused body) may fail: the answer is what counts.
    req.on('error', (err) => {
      if (!settled) reject(err);
    });
    if (!opts.body) return void req.end();
    const piece = opts.chunked ?? opts.body.length;
    void (async () => {
      for (let at = 0; at < opts.body!.length; at += piece) {
        if (!req.write(opts.body!.subarray(at, at + piece))) await new Promise((r) => req.once('drain', r));
        if (at === 0 && opts.hold) await opts.hold;
      }
      req.end();
    })();
  });
}
