// `jiaoyan library publish <id> --to <county relay URL> --token T [--preset NAME] [--ca FILE]`: an approved
// recording of this school's relay goes to the county relay's library. The program (transcoded first with an
// encode preset if asked; the result is cached under <data-dir>/publish/<id>/ so a rerun sends the same bytes)
// and the discussion (chat.json) are uploaded in chunks that the county confirms one by one: a rerun after a
// dropped link resumes from the last confirmed chunk, and the county checks every SHA-256 before it publishes.
// With --to, --token and --ca are the county's; the school's relay is the one started from this data dir.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { RefusedError, UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs.js';
import { sha256File } from '../../core/hash.js';
import { t } from '../../core/i18n.js';
import { relayRequest, type RelayTarget } from '../../client/relay-target.js';
import { Uploader, type LocalFile, type UploadProgress } from '../../client/uploader.js';
import { clip } from '../../media/clip.js';
import { encodePreset } from '../../media/presets.js';
import { assertReadable, probe } from '../../media/probe.js';
import { removeStaleTemps } from '../../media/stale-temp.js';
import type { CliContext } from '../context.js';
import { programParts } from '../recording-input.js';

const DEFAULT_CHUNK = 4 * 1024 * 1024;
const MIN_CHUNK = 1024;
const MAX_CHUNK = 8 * 1024 * 1024;

interface LocalRecording {
  id: string; title: string; kind: string; teacher?: string; subject?: string; grade?: string; startedAt: string; endedAt?: string;
  duration?: number; venues: string[]; state: string; chat: { from: string; venue: string; text: string; at: string }[];
}

function chunkSize(value: unknown): number {
  if (value === undefined) return DEFAULT_CHUNK;
  const n = Number(value);
  if (!Number.isInteger(n) || n < MIN_CHUNK || n > MAX_CHUNK) throw new UsageError('PUBLISH_CHUNK_SIZE', { min: MIN_CHUNK, max: MAX_CHUNK, value: String(value) });
  return n;
}

async function countyTarget(opts: Record<string, unknown>): Promise<RelayTarget> {
  let url: string;
  try {
    url = new URL(String(opts.to)).origin;
  } catch {
    throw new UsageError('BAD_REQUEST', { detail: `--to ${String(opts.to)} is not a URL` });
  }
  if (!/^https?:/.test(url)) throw new UsageError('BAD_REQUEST', { detail: `--to ${String(opts.to)} is not an http(s) URL` });
  const ca = typeof opts.ca === 'string' ? await readFile(opts.ca, 'utf8') : undefined;
  return { url, ...(typeof opts.token === 'string' ? { token: opts.token } : {}), ...(ca ? { ca } : {}) };
}

/**
 * The program to send, part by part (a recording whose main venue moved between VP8 and H.264 venues has several):
 * the recording's own files, or their transcodes with `presetName` (made once, then reused).
 */
async function programFiles(ctx: CliContext, id: string, presetName: string | undefined, cache: string): Promise<{ name: string; path: string }[]> {
  const parts = programParts(join(ctx.dataDir, 'recordings', id));
  if (parts.length === 0) await assertReadable(join(ctx.dataDir, 'recordings', id, 'program.webm'));
  const out: { name: string; path: string }[] = [];
  for (const [i, source] of parts.entries()) {
    await assertReadable(source);
    out.push(presetName ? await transcoded(ctx, source, i + 1, presetName, cache) : { name: basename(source), path: source });
  }
  return out;
}

/** Part `n` of the program transcoded with a preset, as `program.mp4` / `program-<n>.mp4`. */
async function transcoded(ctx: CliContext, source: string, n: number, presetName: string, cache: string): Promise<{ name: string; path: string }> {
  const preset = await encodePreset(ctx.dataDir, presetName);
  const name = n === 1 ? 'program.mp4' : `program-${n}.mp4`;
  // The preset's settings are in the name: an edited preset makes a new file, the same one reuses it.
  const tag = createHash('sha256').update(JSON.stringify(preset)).digest('hex').slice(0, 8);
  const output = join(cache, `${name.slice(0, -4)}-${preset.name}-${tag}.mp4`);
  if ((await stat(output).then((s) => s.size, () => 0)) > 0) return { name, path: output };
  await mkdir(cache, { recursive: true, mode: 0o700 });
  await removeStaleTemps([output]);
  ctx.out.info(t('publish_transcoding', { preset: preset.name }));
  const info = await probe(source, ctx.signal);
  await clip({ input: source, output, from: 0, to: info.duration, mode: 'encode', preset, info, signal: ctx.signal, onProgress: (p) => ctx.out.progress.update(p) });
  ctx.out.progress.end();
  return { name, path: output };
}

/** A progress bar on a terminal's stderr: `program.webm [#######·····]  58%  12.3/21.0 MB`. */
class ProgressBar {
  readonly #stderr = process.stderr;
  #shown = '';

  update(p: UploadProgress): void {
    const ratio = p.total > 0 ? p.sent / p.total : 1;
    const filled = Math.round(ratio * 24);
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const text = `${p.file} [${'#'.repeat(filled)}${'·'.repeat(24 - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${mb(p.sent)}/${mb(p.total)} MB`;
    if (text === this.#shown) return;
    this.#shown = text;
    this.#stderr.write(`\r${text}`);
  }

  end(): void {
    if (this.#shown) this.#stderr.write('\n');
    this.#shown = '';
  }
}

function progressReporter(ctx: CliContext): { onProgress: (p: UploadProgress) => void; end: () => void } {
  const bar = !ctx.out.json && ctx.out.tty ? new ProgressBar() : undefined;
  let file = '';
  return {
    onProgress(p) {
      ctx.out.event({ event: 'progress', ...p });
      if (!bar) return;
      if (p.file !== file) {
        if (file) bar.end();
        file = p.file;
        if (p.resumedFrom > 0 && p.sent === p.resumedFrom) {
          ctx.out.info(t('publish_resuming', { file: p.file, percent: Math.floor((100 * p.sent) / Math.max(1, p.total)), sent: p.sent, total: p.total }));
        }
      }
      bar.update(p);
    },
    end: () => bar?.end(),
  };
}

/** Publish recording `id` of the school's relay (`local`) to the county relay of `opts.to`. */
export async function publishTo(ctx: CliContext, local: RelayTarget, id: string, opts: Record<string, unknown>): Promise<void> {
  const county = await countyTarget(opts);
  const size = chunkSize(opts.chunkSize);
  const rec = await relayRequest<LocalRecording>(local, 'GET', `/api/recordings/${id}`);
  if (rec.state !== 'approved' && rec.state !== 'published') throw new RefusedError('RECORDING_STATE', { id, from: rec.state, to: 'published' });
  const cache = join(ctx.dataDir, 'publish', id);
  const program = await programFiles(ctx, id, typeof opts.preset === 'string' ? opts.preset : undefined, cache);
  const chatPath = join(cache, 'chat.json');
  const messages = rec.chat.map((c) => ({ from: c.from, venue: c.venue, text: c.text, at: c.at }));
  await writeFileAtomic(chatPath, JSON.stringify({ messages }) + '\n', 0o600);
  if (!ctx.out.json) ctx.out.info(t('publish_hashing'));
  const files: LocalFile[] = [];
  for (const f of [...program, { name: 'chat.json', path: chatPath }]) {
    files.push({ ...f, size: (await stat(f.path)).size, sha256: await sha256File(f.path, ctx.signal) });
  }
  const meta = {
    title: rec.title, kind: rec.kind, startedAt: rec.startedAt, venues: rec.venues.filter((v) => v.trim()),
    ...Object.fromEntries((['teacher', 'subject', 'grade', 'endedAt'] as const).filter((k) => rec[k]?.trim()).map((k) => [k, rec[k]!.trim()])),
    ...(rec.duration !== undefined ? { duration: rec.duration } : {}),
  };
  const progress = progressReporter(ctx);
  const school = typeof opts.school === 'string' && opts.school.trim() ? opts.school.trim() : hostname();
  let done;
  try {
    done = await new Uploader(county, { chunkSize: size, signal: ctx.signal, onProgress: progress.onProgress })
      .publish({ origin: { school, recordingId: id }, meta, files });
  } finally {
    progress.end();
  }
  if (rec.state === 'approved') await relayRequest(local, 'POST', `/api/recordings/${id}/publish`, {});
  const result = {
    event: 'published', id, to: county.url, remoteId: done.id, resumed: done.resumed,
    origin: done.recording.origin ?? null, files: files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })),
  };
  ctx.out.result(result, () => t('publish_done', { id: id.slice(0, 8), url: county.url, remote: done.id.slice(0, 8) }));
}
