// The discussion beside the stream: checks a message (length, per-participant rate), stamps it with wall-clock
// and session time, hands it to the sink (persistence) and keeps the recent ones for people who join later.
import { RefusedError } from '../core/errors.js';
import { MAX_CHAT_CHARS, type ChatMessage } from '../signaling/protocol.js';

/** Where messages are kept (the relay's chat log); append must not throw for the room to go on. */
export interface ChatSink {
  append(sessionId: string, message: ChatMessage): void;
  recent(sessionId: string, limit: number): Promise<ChatMessage[]>;
}

/** Burst of messages one participant may send, then one more every REFILL_MS. */
const BURST = 5;
const REFILL_MS = 2000;
const KEEP = 50;

interface Bucket {
  tokens: number;
  at: number;
}

export class ChatRoom {
  readonly #sessionId: string;
  readonly #startedAt: number;
  readonly #sink: ChatSink | undefined;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #recent: ChatMessage[] = [];
  #loaded: Promise<void>;

  constructor(sessionId: string, startedAt: number, sink?: ChatSink, now: () => number = Date.now) {
    this.#sessionId = sessionId;
    this.#startedAt = startedAt;
    this.#sink = sink;
    this.#now = now;
    this.#loaded = sink
      ? sink.recent(sessionId, KEEP).then((m) => void (this.#recent = [...m, ...this.#recent].slice(-KEEP)), () => undefined)
      : Promise.resolve();
  }

  /** The last messages (oldest first), including those from before a relay restart. */
  async history(): Promise<ChatMessage[]> {
    await this.#loaded;
    return [...this.#recent];
  }

  /** Check and stamp one message from a participant; throws RefusedError when it cannot be posted. */
  post(from: { peerId: string; name: string; venue: string }, text: string): ChatMessage {
    const clean = text.replace(/\r\n?/g, '\n').trim();
    if (!clean) throw new RefusedError('CHAT_EMPTY');
    if ([...clean].length > MAX_CHAT_CHARS) throw new RefusedError('CHAT_TOO_LONG', { max: MAX_CHAT_CHARS });
    this.#take(from.peerId);
    const now = this.#now();
    const message: ChatMessage = {
      from: from.name, venue: from.venue, text: clean, at: new Date(now).toISOString(),
      t: Math.max(0, Math.round((now - this.#startedAt) / 100) / 10), peerId: from.peerId,
    };
    this.#recent.push(message);
    if (this.#recent.length > KEEP) this.#recent.shift();
    this.#sink?.append(this.#sessionId, message);
    return message;
  }

  #take(peerId: string): void {
    const now = this.#now();
    const b = this.#buckets.get(peerId) ?? { tokens: BURST, at: now };
    b.tokens = Math.min(BURST, b.tokens + (now - b.at) / REFILL_MS);
    b.at = now;
    if (b.tokens < 1) {
      this.#buckets.set(peerId, b);
      throw new RefusedError('CHAT_RATE_LIMITED', { seconds: Math.ceil(((1 - b.tokens) * REFILL_MS) / 1000) });
    }
    b.tokens -= 1;
    this.#buckets.set(peerId, b);
  }

  forget(peerId: string): void {
    this.#buckets.delete(peerId);
  }
}
