// A lowdb JSON file shared safely between processes: updates take a lock file, re-read, change, write atomically.
import { open, readFile, rm, stat, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { EnvironmentError, RuntimeError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';

const LOCK_STALE_MS = 15_000;
const LOCK_WAIT_MS = 30_000;

function parse<T>(path: string) {
  return (text: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new RuntimeError('STORE_CORRUPT', { path, detail: (err as Error).message });
    }
  };
}

async function acquire(lock: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(lock, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await mkdir(dirname(lock), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw new EnvironmentError('DATA_DIR_UNWRITABLE', { path: dirname(lock), detail: code ?? String(err) });
      if (await lockIsStale(lock)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new RuntimeError('STORE_LOCKED', { path: lock });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(100, delay * 2);
    }
  }
}

/** A lock is stale when its holder is gone (killed mid-write) or it is older than LOCK_STALE_MS. */
async function lockIsStale(lock: string): Promise<boolean> {
  try {
    const [s, pidText] = await Promise.all([stat(lock), readFile(lock, 'utf8')]);
    const pid = Number(pidText);
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
      }
    }
    return Date.now() - s.mtimeMs > LOCK_STALE_MS;
  } catch {
    return false; // vanished or half-written: retry the open
  }
}

export class JsonStore<T extends object> {
  readonly path: string;
  readonly #db: Low<T>;
  /** Serialises updates from this process; the lock file serialises processes. */
  #queue: Promise<unknown> = Promise.resolve();

  /** File mode of the JSON file: the relay's data is its own (host-key and token hashes live here). */
  readonly #mode: number;

  constructor(path: string, defaults: T, options: { mode?: number } = {}) {
    this.path = path;
    this.#mode = options.mode ?? 0o600;
    this.#db = new Low<T>(new DataFile<T>(path, { parse: parse<T>(path), stringify: (d) => JSON.stringify(d, null, 2) + '\n' }), structuredClone(defaults));
  }

  /** A fresh copy of the data on disk (defaults when the file does not exist yet). */
  async read(): Promise<T> {
    await this.#db.read();
    return this.#db.data;
  }

  /** Read-modify-write under the lock; the file is replaced atomically (temp + rename). */
  update<R>(change: (data: T) => R): Promise<R> {
    const run = this.#queue.then(async () => {
      const release = await acquire(`${this.path}.lock`);
      try {
        await this.#db.read();
        const result = change(this.#db.data);
        try {
          // Temp + rename, created with the store's mode (never readable by others, even for a moment).
          await writeFileAtomic(this.path, JSON.stringify(this.#db.data, null, 2) + '\n', this.#mode);
        } catch (err) {
          throw new EnvironmentError('DATA_DIR_UNWRITABLE', { path: dirname(this.path), detail: (err as Error).message });
        }
        return result;
      } finally {
        await release();
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
