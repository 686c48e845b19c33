// Shared documents on the wire: binary Yjs data as base64 in JSON frames, cut into pieces that keep a frame under
// MAX_MESSAGE_BYTES, and joined again on the other side. Used by the relay (DocRoom) and the headless DocReplica.
import { RefusedError } from '../core/errors.js';
import { DOC_CHUNK_CHARS, DOC_TEXT_CHUNK_CHARS, MAX_DOC_BYTES } from '../signaling/protocol.js';

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** An update's base64 in pieces of at most DOC_CHUNK_CHARS (a multiple of 4: each piece decodes on its own). */
export function updatePieces(update: Uint8Array): string[] {
  const all = toBase64(update);
  if (all.length <= DOC_CHUNK_CHARS) return [all];
  const pieces: string[] = [];
  for (let i = 0; i < all.length; i += DOC_CHUNK_CHARS) pieces.push(all.slice(i, i + DOC_CHUNK_CHARS));
  return pieces;
}

/** A text in pieces of at most DOC_TEXT_CHUNK_CHARS UTF-16 units, never splitting a surrogate pair. */
export function textPieces(text: string): string[] {
  if (text.length <= DOC_TEXT_CHUNK_CHARS) return [text];
  const pieces: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + DOC_TEXT_CHUNK_CHARS);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(i, end));
    i = end;
  }
  return pieces;
}

/**
 * Joins the pieces of chunked messages, one buffer per key (document, or connection + document): `add` returns
 * the whole once the last piece (no `more`) came, else undefined. More than MAX_DOC_BYTES in all is refused.
 */
export class PieceJoiner {
  readonly #parts = new Map<string, { chunks: Uint8Array[]; bytes: number }>();

  add(key: string, base64: string, more: boolean | undefined): Uint8Array | undefined {
    const bytes = fromBase64(base64);
    const held = this.#parts.get(key);
    if (!more && !held) return bytes;
    const entry = held ?? { chunks: [], bytes: 0 };
    entry.chunks.push(bytes);
    entry.bytes += bytes.byteLength;
    if (entry.bytes > MAX_DOC_BYTES) {
      this.#parts.delete(key);
      throw new RefusedError('DOC_TOO_LARGE', { max: MAX_DOC_BYTES });
    }
    if (more) {
      this.#parts.set(key, entry);
      return undefined;
    }
    this.#parts.delete(key);
    return Buffer.concat(entry.chunks);
  }

  /** Drop what was held for keys starting with `prefix` (a connection went away, a document was closed). */
  drop(prefix: string): void {
    for (const key of [...this.#parts.keys()]) if (key.startsWith(prefix)) this.#parts.delete(key);
  }
}

/** Joins the pieces of a chunked `docText`. */
export class TextJoiner {
  #held: string[] = [];

  add(text: string, more: boolean | undefined): string | undefined {
    this.#held.push(text);
    if (more) return undefined;
    const all = this.#held.join('');
    this.#held = [];
    return all;
  }
}
