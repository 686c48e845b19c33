// Shared documents on disk, per session: `<data>/docs/<sessionId>/<name>.snapshot` (the full state, replaced
// atomically), `<name>.log` (updates appended as they come, as records `[u32 length][u32 crc32][update]`, little
// endian) and `<name>.revisions.jsonl`. Appends are batched (at most every 200 ms) and synced at most once a second;
// a torn or damaged tail is cut off at load. Compaction folds the log into the snapshot: write the snapshot, rename,
// then truncate the log — a crash in between replays updates the snapshot already has, which Yjs ignores. It runs
// when the log grows past its limits, compactIdleMs after the previous one once the log has anything, and at a
// graceful close (so the next load reads one snapshot).
// Knows nothing of Yjs: the owner gives the whole state (`state()`) when a compaction needs it.
import { crc32 } from 'node:zlib';
import { mkdir, open, readFile, readdir, appendFile, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs.js';
import { logger } from '../core/log.js';

const log = logger('store:docs');

const SAFE_ID = /^[0-9a-zA-Z-]{1,64}$/;
const SAFE_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const HEADER = 8;
/** A record longer than this is damage, not data (a document's state is capped at 2 MiB). */
const MAX_RECORD = 16 * 1024 * 1024;

export interface DocStoreOptions {
  /** Appends wait at most this long to be written together. Default 200 ms. */
  readonly flushMs?: number;
  /** At most one fsync per this interval. Default 1 s. */
  readonly fsyncMs?: number;
  /** Compact when the log passes this many bytes… Default 1 MiB. */
  readonly compactBytes?: number;
  /** …or this many records. Default 2000. */
  readonly compactRecords?: number;
  /** …or this long after the last compaction, when there were changes. Default 60 s. */
  readonly compactIdleMs?: number;
  /** Compact at a graceful close when the log has anything. Default true (tests of the log itself turn it off). */
  readonly compactOnClose?: boolean;
}

/** One revision as stored (a line of `<name>.revisions.jsonl`); `snapshot` is base64 of Y.encodeSnapshot. */
export interface StoredRevision {
  readonly rev: number;
  readonly at: string;
  readonly by: string[];
  readonly chars: number;
  readonly bytes: number;
  readonly label?: string;
  readonly snapshot: string;
}

export class DocStore {
  readonly #dir: string;
  readonly #opts: Required<DocStoreOptions>;
  readonly #open = new Set<DocFile>();

  constructor(dataDir: string, opts: DocStoreOptions = {}) {
    this.#dir = join(dataDir, 'docs');
    this.#opts = {
      flushMs: opts.flushMs ?? 200, fsyncMs: opts.fsyncMs ?? 1000, compactBytes: opts.compactBytes ?? 1024 * 1024,
      compactRecords: opts.compactRecords ?? 2000, compactIdleMs: opts.compactIdleMs ?? 60_000, compactOnClose: opts.compactOnClose ?? true,
    };
  }

  dirOf(sessionId: string): string {
    if (!SAFE_ID.test(sessionId)) throw new Error(`bad session id ${JSON.stringify(sessionId)}`);
    return join(this.#dir, sessionId);
  }

  /** Names of the session's stored documents. */
  async names(sessionId: string): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.dirOf(sessionId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const names = new Set<string>();
    for (const f of files) {
      const m = /^(.+)\.(snapshot|log)$/.exec(f);
      if (m && SAFE_NAME.test(m[1]!)) names.add(m[1]!);
    }
    return [...names].sort();
  }

  /** Load (or create) a document's files; `state` gives its whole encoded state when compacting. */
  async open(sessionId: string, name: string, state: () => Uint8Array): Promise<DocFile> {
    if (!SAFE_NAME.test(name)) throw new Error(`bad document name ${JSON.stringify(name)}`);
    const dir = this.dirOf(sessionId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = await DocFile.load(join(dir, name), state, this.#opts);
    this.#open.add(file);
    file.onClosed = () => this.#open.delete(file);
    return file;
  }

  /** Write and sync everything pending in every open document. */
  async flush(): Promise<void> {
    await Promise.all([...this.#open].map((f) => f.flush()));
  }

  /** Flush and close every open document. */
  async close(): Promise<void> {
    await Promise.all([...this.#open].map((f) => f.close()));
  }
}

/** One document's files: load once, then append, compact, close. */
export class DocFile {
  readonly #base: string;
  readonly #state: () => Uint8Array;
  readonly #opts: Required<DocStoreOptions>;
  readonly #log: FileHandle;
  /** The snapshot (if any), then the log's records, in order: apply them all to get the document. */
  readonly loaded: readonly Uint8Array[];
  readonly revisions: readonly StoredRevision[];
  #pending: Buffer[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #lastSync = 0;
  #dirty = false;
  #logBytes: number;
  #logRecords: number;
  /** When the last compaction ran (or failed): the idle compaction counts from here. */
  #lastCompaction = Date.now();
  /** A compaction is queued or running: it re-arms the idle compaction when done (appends meanwhile do not). */
  #compacting = false;
  /** File operations run one after another. */
  #chain: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;
  onClosed: (() => void) | undefined;
  /** Compactions done (for tests and the bench). */
  compactions = 0;

  private constructor(base: string, state: () => Uint8Array, opts: Required<DocStoreOptions>, fh: FileHandle, loaded: Uint8Array[], logBytes: number, revisions: StoredRevision[]) {
    this.#base = base;
    this.#state = state;
    this.#opts = opts;
    this.#log = fh;
    this.loaded = loaded;
    this.#logBytes = logBytes;
    this.#logRecords = loaded.length;
    this.revisions = revisions;
  }

  static async load(base: string, state: () => Uint8Array, opts: Required<DocStoreOptions>): Promise<DocFile> {
    const loaded: Uint8Array[] = [];
    const snapshot = await readIfThere(`${base}.snapshot`);
    const records = parseLog((await readIfThere(`${base}.log`)) ?? Buffer.alloc(0));
    if (records.cutAt !== undefined) {
      log('%s.log: damaged tail after %d bytes cut off', base, records.cutAt);
      await truncate(`${base}.log`, records.cutAt);
    }
    const revisions = await loadRevisions(`${base}.revisions.jsonl`);
    const fh = await open(`${base}.log`, 'a', 0o600);
    const file = new DocFile(base, state, opts, fh, loaded, records.bytes, revisions);
    if (snapshot) loaded.push(snapshot);
    loaded.push(...records.updates);
    file.#logRecords = records.updates.length;
    return file;
  }

  get logBytes(): number {
    return this.#logBytes + this.#pending.reduce((n, b) => n + b.length, 0);
  }

  get logRecords(): number {
    return this.#logRecords + this.#pending.length;
  }

  /** Queue one update for the log (written within flushMs). */
  append(update: Uint8Array): void {
    if (this.#closed) return;
    const rec = Buffer.allocUnsafe(HEADER + update.byteLength);
    rec.writeUInt32LE(update.byteLength, 0);
    rec.writeUInt32LE(crc32(update), 4);
    rec.set(update, HEADER);
    this.#pending.push(rec);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#run(() => this.#write());
    }, this.#opts.flushMs);
    this.#armIdle();
  }

  /**
   * Compact compactIdleMs after the last compaction, when the log has anything. Not while a compaction is queued or
   * running: an idle compaction then would be skipped and the updates that came meanwhile left in the log; the
   * compaction arms it again when it is done.
   */
  #armIdle(): void {
    if (this.#idleTimer || this.#compacting || this.#closed || this.logRecords === 0) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      void this.compact();
    }, Math.max(0, this.#lastCompaction + this.#opts.compactIdleMs - Date.now()));
    this.#idleTimer.unref();
  }

  /** Append one revision line (in order with everything else). */
  appendRevision(r: StoredRevision): void {
    if (this.#closed) return;
    (this.revisions as StoredRevision[]).push(r);
    void this.#run(() => appendFile(`${this.#base}.revisions.jsonl`, `${JSON.stringify(r)}\n`, { mode: 0o600 }));
  }

  #run(op: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(op).catch((err: unknown) => log('%s: %O', this.#base, err));
    return this.#chain;
  }

  async #write(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending.length === 0) return;
    const recs = this.#pending;
    this.#pending = [];
    const data = Buffer.concat(recs);
    await this.#log.write(data);
    this.#logBytes += data.length;
    this.#logRecords += recs.length;
    this.#dirty = true;
    const wait = this.#lastSync + this.#opts.fsyncMs - Date.now();
    if (wait <= 0) await this.#sync();
    else this.#syncTimer ??= setTimeout(() => {
      this.#syncTimer = undefined;
      void this.#run(() => this.#sync());
    }, wait);
    if (this.#logBytes > this.#opts.compactBytes || this.#logRecords > this.#opts.compactRecords) void this.compact();
  }

  async #sync(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#lastSync = Date.now();
    await this.#log.datasync();
  }

  /** Fold the log into the snapshot: everything written so far, then the log starts empty. */
  compact(): Promise<void> {
    if (this.#compacting || this.#closed) return this.#chain;
    this.#compacting = true;
    return this.#run(async () => {
      let done = false;
      try {
        await this.#compactNow();
        done = true;
      } finally {
        this.#compacting = false;
        // What came meanwhile is compacted in its turn: at once when it is already past the limits, else after
        // the idle time (also after a failure, which is not retried sooner).
        if (done && (this.logBytes > this.#opts.compactBytes || this.logRecords > this.#opts.compactRecords)) void this.compact();
        else this.#armIdle();
      }
    });
  }

  /** The compaction itself; runs in the chain. */
  async #compactNow(): Promise<void> {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#lastCompaction = Date.now();
    await this.#write();
    // Updates queued from here on are not in the log yet; they are in the state (or come after it): either way
    // they are written after the truncation below. A few may be in both: applying an update twice is harmless.
    const state = this.#state();
    await writeFileAtomic(`${this.#base}.snapshot`, state, 0o600);
    await this.#log.truncate(0);
    await this.#log.datasync();
    this.#logBytes = 0;
    this.#logRecords = 0;
    this.#lastCompaction = Date.now();
    this.compactions++;
    log('%s compacted: %d bytes', this.#base, state.byteLength);
  }

  /** Write and sync what is pending. */
  flush(): Promise<void> {
    return this.#run(async () => {
      await this.#write();
      await this.#sync();
    });
  }

  /**
   * Flush, fold the log into the snapshot when it has anything (compactOnClose: the next load reads one snapshot),
   * then close the log. Appends after this are dropped. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#idleTimer) clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
      await this.flush();
      // After any compaction already queued; a failure is logged, and the log (flushed and synced) still has it all.
      if (this.#opts.compactOnClose && this.#logRecords > 0) await this.#run(() => this.#compactNow());
      // In the chain too, so no sync queued meanwhile meets a closed file.
      await this.#run(async () => {
        if (this.#syncTimer) clearTimeout(this.#syncTimer);
        this.#syncTimer = undefined;
        await this.#sync();
        await this.#log.close();
      });
      this.onClosed?.();
    })();
    return this.#closed;
  }
}

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The log's good records; `cutAt` when a torn or damaged tail follows them. */
export function parseLog(buf: Buffer): { updates: Uint8Array[]; bytes: number; cutAt?: number } {
  const updates: Uint8Array[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < HEADER) break;
    const len = buf.readUInt32LE(at);
    if (len > MAX_RECORD || at + HEADER + len > buf.length) break;
    const body = buf.subarray(at + HEADER, at + HEADER + len);
    if (crc32(body) !== buf.readUInt32LE(at + 4)) break;
    updates.push(new Uint8Array(body));
    at += HEADER + len;
  }
  return at < buf.length ? { updates, bytes: at, cutAt: at } : { updates, bytes: at };
}

/** The revisions file's complete lines; a line cut short by a crash is cut off (so the next append starts clean). */
async function loadRevisions(path: string): Promise<StoredRevision[]> {
  const buf = await readIfThere(path);
  if (!buf) return [];
  const end = buf.lastIndexOf(0x0a) + 1;
  if (end < buf.length) await truncate(path, end);
  const out: StoredRevision[] = [];
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as StoredRevision;
      if (Number.isInteger(r.rev) && typeof r.snapshot === 'string') out.push(r);
    } catch (err) {
      log('%s: skipping a bad line: %s', path, (err as Error).message);
    }
  }
  return out;
}
