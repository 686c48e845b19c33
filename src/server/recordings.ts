// Recording at the relay: the program feed (what viewers saw, across every handoff, on one timeline) to
// program.webm and each seat's own tracks to seat-<n>.webm, through jitter buffers with keyframe gating, written
// as they go (a cluster a second) so a crash loses at most the last seconds. H.264 is written as Matroska (.mkv),
// and a program whose main venue moves between VP8 and H.264 as consecutive parts (recording-parts.ts). On start
// the relay recovers recordings a crash left open: it stops their ffmpeg if still running and remuxes the files.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidStateError, RefusedError, RuntimeError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import { logger } from '../core/log.js';
import { probe } from '../media/probe.js';
import { nowMs, repairWebm } from '../media/rtp-webm-writer.js';
import { thumbnails } from '../media/thumbnails.js';
import type { LiveSession } from '../relay/live-session.js';
import type { MediaKind, PacketSource } from '../relay/packet-source.js';
import type { RecordingCatalogue, RecordingFile } from '../store/recording-catalogue.js';
import { PartedFile, type PartsListing } from './recording-parts.js';

const log = logger('server:recordings');

/**
 * The parts of a recording's files as the catalogue lists them: program parts first, in order, then the seats.
 * Nothing is listed before `created` (the recording's entry is made once its program's ffmpeg runs).
 */
function listingOf(catalogue: RecordingCatalogue, id: string, created: Promise<void>): PartsListing {
  return {
    add: async (file) => void await created.then(() => catalogue.update(id, (r) => {
      const at = file.role === 'program' ? r.files.filter((f) => f.role === 'program').length : r.files.length;
      r.files.splice(at, 0, structuredClone(file));
    })),
    set: async (name, file) => void await created.then(() => catalogue.update(id, (r) => {
      const i = r.files.findIndex((f) => f.name === name);
      if (i >= 0 && file) r.files[i] = structuredClone(file);
      else if (i >= 0) r.files.splice(i, 1);
    })),
  };
}

/** The recording of one session, from start to stop. */
class SessionRecording {
  readonly id: string;
  readonly session: LiveSession;
  readonly folder: string;
  /** When it started (nowMs): the program's first part starts there, the parts' offsets count from there. */
  #startedAt = nowMs();
  readonly #listing: PartsListing;
  #program: PartedFile | undefined;
  /** Seat files by peer id. */
  readonly #seats = new Map<string, PartedFile>();
  #seatCount = 0;
  #syncing: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #catalogue: RecordingCatalogue;
  readonly #onFailure: WriteFailure;

  private constructor(id: string, session: LiveSession, folder: string, catalogue: RecordingCatalogue, created: Promise<void>, onFailure: WriteFailure) {
    this.id = id;
    this.session = session;
    this.folder = folder;
    this.#catalogue = catalogue;
    this.#listing = listingOf(catalogue, id, created);
    this.#onFailure = onFailure;
  }

  #file(stem: string, meta: Omit<RecordingFile, 'name'>, sources: ReadonlyMap<MediaKind, PacketSource>): Promise<PartedFile> {
    return PartedFile.start({
      folder: this.folder, stem, meta, sources, startedAt: () => this.#startedAt, listing: this.#listing,
      onFailure: (name, tail) => {
        if (!this.#stopped) this.#onFailure(name, tail);
      },
    });
  }

  static async start(session: LiveSession, catalogue: RecordingCatalogue, by: string, onFailure: WriteFailure): Promise<SessionRecording> {
    const id = randomUUID();
    const folder = catalogue.folderOf(id);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    let created!: () => void;
    const rec = new SessionRecording(id, session, folder, catalogue, new Promise<void>((r) => (created = r)), onFailure);
    try {
      rec.#program = await rec.#file('program', { role: 'program' }, new Map<MediaKind, PacketSource>([['audio', session.program.audio], ['video', session.program.video]]));
    } catch (err) {
      await rm(folder, { recursive: true, force: true });
      throw err;
    }
    // It starts now that the program's ffmpeg runs: the discussion is placed on the file's timeline from here.
    rec.#startedAt = nowMs();
    try {
      await catalogue.add({
        id, sessionId: session.info.id, title: session.info.title, kind: session.info.kind, startedAt: new Date().toISOString(),
        venues: [], files: [], state: 'recording', history: [{ state: 'recording', by, at: new Date().toISOString() }],
      });
    } catch (err) {
      rec.#stopped = true;
      created(); // (its listing finds no entry and gives up)
      await rec.#program.stop();
      await rm(folder, { recursive: true, force: true });
      throw err;
    }
    created();
    await rec.#program.listed();
    rec.sync();
    return rec;
  }

  /** Follow the seats: a file per seat publisher (a new one when it publishes anew). */
  sync(): void {
    this.#syncing = this.#syncing.then(() => this.#sync()).catch((err: unknown) => log('seat files of %s: %O', this.id, err));
  }

  async #sync(): Promise<void> {
    if (this.#stopped) return;
    const venues = new Set<string>();
    for (const p of this.session.participants.values()) {
      if (p.monitor || !p.publishing) continue;
      venues.add(p.venue);
      if (!p.seat) continue;
      const current = this.#seats.get(p.id);
      if (current && current.sourceOf('audio') === p.publications.get('audio') && current.sourceOf('video') === p.publications.get('video')) continue;
      if (current) await current.stop();
      this.#seats.set(p.id, await this.#file(`seat-${++this.#seatCount}`, { role: 'seat', speaker: p.name, venue: p.venue }, new Map(p.publications)));
    }
    for (const [peerId, f] of this.#seats) {
      const p = this.session.participants.get(peerId);
      if (!p || !p.seat || !p.publishing) {
        await f.stop();
        this.#seats.delete(peerId);
      }
    }
    if (venues.size > 0) await this.#catalogue.update(this.id, (r) => void (r.venues = [...new Set([...r.venues, ...venues])]));
  }

  async stop(by: string, reason?: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#syncing;
    await Promise.all([this.#program?.stop(), ...[...this.#seats.values()].map((f) => f.stop())]);
    await finish(this.#catalogue, this.id, by, false, reason);
  }
}

/** A file of a recording stopped being written by itself: its name and ffmpeg's last error lines. */
type WriteFailure = (file: string, stderrTail: readonly string[]) => void;

/** Probe every file of a finished recording, then mark it pending review. */
async function finish(catalogue: RecordingCatalogue, id: string, by: string, recovered = false, reason?: string): Promise<void> {
  await measure(catalogue, id, true);
  if (recovered) await catalogue.update(id, (x) => void (x.recovered = true));
  // No media ever came (nobody published while it recorded): no file rather than an empty one, and it says so.
  const empty = catalogue.get(id)!.files.length === 0 ? 'no media arrived while recording: nothing was kept' : undefined;
  const why = [recovered ? 'recovered after the relay stopped unexpectedly' : reason, empty].filter(Boolean).join('; ');
  await catalogue.transition(id, 'pending', by, why || undefined);
}

/**
 * Size and duration of every file, the total, and thumbnails of the program; `ended` also stamps the end, and drops
 * files that are not there (a part whose ffmpeg never got media: a crash left it listed).
 */
async function measure(catalogue: RecordingCatalogue, id: string, ended: boolean): Promise<void> {
  const r = catalogue.get(id)!;
  const folder = catalogue.folderOf(id);
  let size = 0;
  for (const f of [...r.files]) {
    const path = join(folder, f.name);
    const bytes = await stat(path).then((s) => s.size, () => 0);
    if (bytes === 0 && ended) {
      await rm(path, { force: true });
      await catalogue.update(id, (x) => void (x.files = x.files.filter((y) => y.name !== f.name)));
      continue;
    }
    const duration = bytes > 0 ? await probe(path).then((i) => i.duration, () => 0) : 0;
    size += bytes;
    await catalogue.update(id, (x) => {
      const file = x.files.find((y) => y.name === f.name)!;
      file.size = bytes;
      file.duration = Math.round(duration * 100) / 100;
      delete file.pid;
    });
  }
  // The program may be several parts (one per codec stretch): its length is theirs together; the thumbnails
  // are of the first part (what the player plays).
  const parts = catalogue.get(id)!.files.filter((f) => f.role === 'program');
  const program = parts[0];
  const thumbs = program?.duration
    ? await thumbnails(join(folder, program.name), program.duration, folder).catch((err: unknown) => (log('thumbnails of %s: %O', id, err), []))
    : [];
  await catalogue.update(id, (x) => {
    if (ended) x.endedAt = new Date().toISOString();
    x.size = size;
    x.duration = Math.round(parts.reduce((sum, f) => sum + (f.duration ?? 0), 0) * 100) / 100;
    x.thumbnails = thumbs;
  });
}

/** Whether a process is alive and is an ffmpeg (a pid reused by something else is left alone). */
async function isFfmpeg(pid: number): Promise<boolean> {
  try {
    const { readFile } = await import('node:fs/promises');
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('ffmpeg');
  } catch {
    return false;
  }
}

export interface RecordingsOptions {
  /** Stop recording when the recordings' disk has less free space than this (bytes; default 200 MB). */
  readonly minFreeBytes?: number;
  /** How often the free space is checked while recording (ms; default 2000). */
  readonly checkEveryMs?: number;
  /** A recording stopped by itself (disk full, a write failed); the session goes on. */
  readonly onInterrupted?: (sessionId: string, recordingId: string, error: RuntimeError) => void;
}

const MB = 1024 * 1024;

export class Recordings {
  readonly #catalogue: RecordingCatalogue;
  readonly #active = new Map<string, SessionRecording>();
  readonly #options: RecordingsOptions;
  #diskTimer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(catalogue: RecordingCatalogue, options: RecordingsOptions = {}) {
    this.#catalogue = catalogue;
    this.#options = options;
  }

  get #minFree(): number {
    return this.#options.minFreeBytes ?? 200 * MB;
  }

  /** Bytes free (for an unprivileged process) on the disk holding `folder`. */
  static async freeBytes(folder: string): Promise<number> {
    const s = await statfs(folder);
    return s.bavail * s.bsize;
  }

  /** While anything records: stop every recording whose disk runs below the minimum free space. */
  #watchDisk(): void {
    if (this.#diskTimer || this.#active.size === 0) return;
    this.#diskTimer = setInterval(() => {
      if (this.#active.size === 0) {
        clearInterval(this.#diskTimer);
        this.#diskTimer = undefined;
        return;
      }
      if (this.#checking) return;
      this.#checking = true;
      this.#checkDisk().catch((err: unknown) => log('checking free space: %O', err)).finally(() => (this.#checking = false));
    }, this.#options.checkEveryMs ?? 2000);
    this.#diskTimer.unref();
  }

  async #checkDisk(): Promise<void> {
    for (const [sessionId, rec] of this.#active) {
      const free = await Recordings.freeBytes(rec.folder);
      if (free < this.#minFree) await this.#interrupt(sessionId, new RuntimeError('RECORDING_DISK_FULL', { free: Math.floor(free / MB) }));
    }
  }

  /** Stop a recording that cannot go on; the files so far are kept and queued for review. */
  async #interrupt(sessionId: string, error: RuntimeError): Promise<void> {
    const rec = this.#active.get(sessionId);
    if (!rec) return;
    this.#active.delete(sessionId);
    const why = t(error.code, error.params, 'en');
    log('recording %s of %s stopped: %s', rec.id, sessionId, why);
    // Without room, ffmpeg cannot finish the file's index: `library repair` does it once space is freed.
    const hint = error.code === 'RECORDING_DISK_FULL' ? ` (free some space, then: jiaoyan library repair ${rec.id})` : '';
    await rec.stop('relay', why + hint).catch((err: unknown) => log('stopping %s: %O', rec.id, err));
    this.#options.onInterrupted?.(sessionId, rec.id, error);
  }

  #writeFailed(sessionId: string, file: string, tail: readonly string[]): void {
    const text = tail.join(' ');
    const error = /no space left|ENOSPC|disk (is )?full/i.test(text)
      ? new RuntimeError('RECORDING_DISK_FULL', { free: 0 })
      : new RuntimeError('RECORDING_WRITE_FAILED', { file, detail: tail.at(-1) ?? 'ffmpeg exited' });
    void this.#interrupt(sessionId, error);
  }

  isRecording(sessionId: string): boolean {
    return this.#active.has(sessionId);
  }

  async start(session: LiveSession, by: string): Promise<string> {
    if (session.closed) throw new InvalidStateError('LiveSession');
    const running = this.#active.get(session.info.id);
    if (running) return running.id;
    const free = await Recordings.freeBytes(this.#catalogue.dir).catch(() => Recordings.freeBytes(dirname(this.#catalogue.dir)));
    // Never start on a disk with less than a megabyte left, whatever the minimum.
    if (free < Math.max(this.#minFree, MB)) throw new RefusedError('RECORDING_DISK_FULL', { free: Math.floor(free / MB) });
    const sessionId = session.info.id;
    const rec = await SessionRecording.start(session, this.#catalogue, by, (file, tail) => this.#writeFailed(sessionId, file, tail));
    this.#active.set(session.info.id, rec);
    this.#watchDisk();
    log('recording %s of %s', rec.id, session.info.code);
    return rec.id;
  }

  /** Seats changed in a session: follow them. */
  changed(sessionId: string): void {
    this.#active.get(sessionId)?.sync();
  }

  async stop(sessionId: string, by: string): Promise<string | undefined> {
    const rec = this.#active.get(sessionId);
    if (!rec) return undefined;
    this.#active.delete(sessionId);
    await rec.stop(by);
    return rec.id;
  }

  async stopAll(by: string): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.stop(id, by)));
  }

  /** Recordings a crash left in 'recording': stop their orphaned ffmpeg, remux the files, mark them pending. */
  async recover(): Promise<string[]> {
    const open = this.#catalogue.all().filter((r) => r.state === 'recording' && ![...this.#active.values()].some((a) => a.id === r.id));
    for (const r of open) await this.repair(r.id, true);
    return open.map((r) => r.id);
  }

  /** Make a recording's files seekable again (after a crash); idempotent. */
  async repair(id: string, recovering = false): Promise<void> {
    const r = this.#catalogue.get(id);
    if (!r) throw new RefusedError('RECORDING_UNKNOWN', { id });
    const folder = this.#catalogue.folderOf(id);
    for (const f of r.files) {
      if (f.pid && (await isFfmpeg(f.pid))) {
        process.kill(f.pid, 'SIGINT'); // an orphan still writing: let it finish the file
        for (let i = 0; i < 50 && (await isFfmpeg(f.pid)); i++) await new Promise((res) => setTimeout(res, 100));
      }
      const path = join(folder, f.name);
      const bytes = await stat(path).then((s) => s.size, () => 0);
      if (bytes > 0) await repairWebm(path).catch((err: unknown) => log('repair %s: %O', path, err));
    }
    if (recovering || r.state === 'recording') await finish(this.#catalogue, id, 'relay', true);
    else await measure(this.#catalogue, id, false);
  }
}
