// Runs ffmpeg/ffprobe from argument arrays (never a shell), parses `-progress pipe:1`,
// honours an AbortSignal and turns failures into clear errors naming the input.
import { spawn, type ChildProcess } from 'node:child_process';
import { AbortedError, RuntimeError } from '../core/errors.js';
import { logger } from '../core/log.js';
import { locate, type ToolName } from './locate.js';

const log = logger('ffmpeg');

export interface Progress {
  /** Seconds of output written so far. */
  readonly outTime: number;
  /** 0..100 when the expected duration is known. */
  readonly percent?: number;
  readonly speed?: number;
  readonly done: boolean;
}

export interface RunOptions {
  /** Name shown in errors (usually the input file). */
  readonly inputName: string;
  readonly signal?: AbortSignal;
  /** Expected output duration in seconds, for percent. */
  readonly duration?: number;
  readonly onProgress?: (p: Progress) => void;
  /** Called for every stderr line (filters such as silencedetect print there). */
  readonly onStderrLine?: (line: string) => void;
  /** Keep stdout (for ffprobe or raw frames) instead of parsing progress from it. */
  readonly captureStdout?: boolean;
}

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderrTail: string[];
}

const NOISE = /^(\s*$|\s*(built with|configuration:|lib\w+\s+\d|Input #|Output #|Stream #|Stream mapping|Metadata:|Duration:|Press \[q\]|frame=|size=|video:|\[.*\] (?:using|Qavg|frame I|frame P|frame B|mb |final ratefactor|coded y|i16|i8|Weighted|ref |kb\/s|profile|264 -)))/;

/** The last stderr line that says something: skips banners, stream listings and statistics. */
export function meaningfulLine(lines: readonly string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line && !NOISE.test(line) && !/^\s{2,}/.test(lines[i]!)) return line;
  }
  return lines.at(-1)?.trim() || 'no output';
}

function parseProgressBlock(fields: Map<string, string>, duration?: number): Progress {
  const us = fields.get('out_time_us') ?? fields.get('out_time_ms'); // ffmpeg < 4.2 only has out_time_ms (in µs)
  let outTime = us && /^\d+$/.test(us) ? Number(us) / 1e6 : 0;
  if (!outTime) {
    const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(fields.get('out_time') ?? '');
    if (m) outTime = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  }
  const speed = Number.parseFloat(fields.get('speed') ?? '');
  const done = fields.get('progress') === 'end';
  const percent = duration && duration > 0 ? Math.min(100, done ? 100 : (outTime / duration) * 100) : undefined;
  return { outTime, done, ...(percent !== undefined ? { percent } : {}), ...(Number.isFinite(speed) ? { speed } : {}) };
}

/** Run a tool; resolves with stdout, rejects with RuntimeError (or AbortedError). */
export function runTool(tool: ToolName, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const { path } = locate(tool);
  const fullArgs =
    tool === 'ffmpeg' && !opts.captureStdout ? ['-hide_banner', '-nostdin', '-progress', 'pipe:1', '-nostats', ...args] : [...args];
  if (opts.signal?.aborted) return Promise.reject(new AbortedError());
  log('%s %s', tool, fullArgs.join(' '));
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(path, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdoutChunks: Buffer[] = [];
    const stderrTail: string[] = [];
    let stderrRest = '';
    let stdoutRest = '';
    let fields = new Map<string, string>();
    let settled = false;

    const onAbort = () => {
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (chunk: Buffer) => {
      if (opts.captureStdout) {
        stdoutChunks.push(chunk);
        return;
      }
      stdoutRest += chunk.toString('utf8');
      const lines = stdoutRest.split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines) {
        const eq = line.indexOf('=');
        if (eq < 0) continue;
        const key = line.slice(0, eq).trim();
        fields.set(key, line.slice(eq + 1).trim());
        if (key === 'progress') {
          opts.onProgress?.(parseProgressBlock(fields, opts.duration));
          fields = new Map();
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderrRest += chunk.toString('utf8');
      const lines = stderrRest.split(/\r?\n|\r/);
      stderrRest = lines.pop() ?? '';
      for (const line of lines) {
        opts.onStderrLine?.(line);
        stderrTail.push(line);
        if (stderrTail.length > 60) stderrTail.shift();
      }
    });
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new RuntimeError('FFMPEG_FAILED', { input: opts.inputName, detail: err.message }, { cause: err }));
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      if (stderrRest) {
        opts.onStderrLine?.(stderrRest);
        stderrTail.push(stderrRest);
      }
      if (opts.signal?.aborted) return reject(new AbortedError());
      if (code === 0) return resolve({ stdout: Buffer.concat(stdoutChunks), stderrTail });
      const detail = meaningfulLine(stderrTail) + (sig ? ` (${sig})` : '');
      const key = tool === 'ffprobe' ? 'FFPROBE_FAILED' : 'FFMPEG_FAILED';
      reject(new RuntimeError(key, { input: opts.inputName, detail }));
    });
  });
}

export function runFfmpeg(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return runTool('ffmpeg', args, opts);
}
