// Each session's discussion as an append-only JSONL file (`<data dir>/chat/<session id>.jsonl`): one message per
// line, appended in order, never rewritten — so it can be replayed beside a recording. A line cut short by a
// crash is skipped when reading.
import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { logger } from '../core/log.js';

const log = logger('store:chat');

export interface StoredChatMessage {
  readonly from: string;
  readonly venue: string;
  readonly text: string;
  readonly at: string;
  readonly t: number;
  readonly peerId: string;
}

const SAFE_ID = /^[0-9a-zA-Z-]{1,64}$/;

export class ChatLog {
  readonly #dir: string;
  /** Appends run one after another per session, so lines keep their order. */
  readonly #queues = new Map<string, Promise<void>>();
  #dirReady: Promise<void> | undefined;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'chat');
  }

  pathOf(sessionId: string): string {
    if (!SAFE_ID.test(sessionId)) throw new Error(`bad session id ${JSON.stringify(sessionId)}`);
    return join(this.#dir, `${sessionId}.jsonl`);
  }

  /** Append one message (in the background; failures are logged, the live discussion goes on). */
  append(sessionId: string, message: StoredChatMessage): void {
    const line = `${JSON.stringify(message)}\n`;
    const path = this.pathOf(sessionId);
    this.#dirReady ??= mkdir(this.#dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    const prev = this.#queues.get(sessionId) ?? this.#dirReady;
    const next = prev
      .then(() => appendFile(path, line, { encoding: 'utf8', mode: 0o600 }))
      .catch((err: unknown) => log('append to %s failed: %O', path, err));
    this.#queues.set(sessionId, next);
  }

  /** Wait until every append so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all(this.#queues.values());
  }

  /** Every message of a session, oldest first (none when it has no log yet). */
  async all(sessionId: string): Promise<StoredChatMessage[]> {
    await this.#queues.get(sessionId);
    const out: StoredChatMessage[] = [];
    const stream = createReadStream(this.pathOf(sessionId), { encoding: 'utf8' });
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (!line.trim()) continue;
        try {
          const m = JSON.parse(line) as StoredChatMessage;
          if (typeof m.text === 'string' && typeof m.from === 'string') out.push(m);
        } catch {
          log('skipped a damaged line in %s', sessionId);
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return out;
  }

  async recent(sessionId: string, limit: number): Promise<StoredChatMessage[]> {
    return (await this.all(sessionId)).slice(-limit);
  }
}
