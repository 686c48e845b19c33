// How the page puts shared-document data on the signaling socket: binary Yjs data as standard base64, long
// updates cut into pieces (`more: true` on every piece but the last) and joined again on the way in, and the
// limits of src/signaling/protocol.ts repeated here (the page imports only types from there; a unit test keeps
// the two in step). Pure: no DOM.

/** A document's name: `plan`, `summary`, … */
export const DOC_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** Documents per session. */
export const MAX_DOCS_PER_SESSION = 8;
/** Largest piece of a chunked update, in base64 characters (a multiple of 4: each piece decodes on its own). */
export const DOC_CHUNK_CHARS = 48 * 1024;
/** The document every session starts with, shown first. */
export const DEFAULT_DOC = 'plan';

export function isDocName(name: string): boolean {
  return DOC_NAME.test(name);
}

/** Standard base64 of `bytes` (btoa works on one char per byte; done in slices to keep the argument list short). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The bytes of standard base64 text; throws on anything else. */
export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `text` cut into pieces of at most `size` characters (one empty piece for empty text). */
export function pieces(text: string, size = DOC_CHUNK_CHARS): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

/**
 * Joins chunked messages again, per kind of message: `add` returns the whole text with the last piece, and
 * null while more pieces are to come. `clear()` forgets half-received ones (the connection dropped).
 */
export class PieceJoiner<K extends string> {
  readonly #parts = new Map<K, string[]>();

  add(kind: K, piece: string, more: boolean | undefined): string | null {
    const parts = this.#parts.get(kind) ?? [];
    parts.push(piece);
    if (more) {
      this.#parts.set(kind, parts);
      return null;
    }
    this.#parts.delete(kind);
    return parts.join('');
  }

  clear(): void {
    this.#parts.clear();
  }
}

/** An empty Yjs update (no structs, no deletions): nothing worth sending. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

const COLORS = ['#1f6feb', '#c62828', '#1e7a34', '#a15c00', '#8e24aa', '#00838f', '#d81b60', '#5d4037'] as const;

/** A cursor colour for a person, the same one every time for the same name and venue. */
export function userColor(key: string): string {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return COLORS[hash % COLORS.length] ?? COLORS[0];
}

/** Refusals of a `docUpdate` after which the relay has nothing of it (`params.doc` names the document). */
const REFUSED_UPDATE_CODES: ReadonlySet<string> = new Set(['DOC_TOO_LARGE', 'DOC_UPDATE_BAD']);

/** Whether a relay `error` refuses one of our document updates (the page then reloads that document). */
export function isRefusedUpdate(m: { code: string; ref?: string | undefined }): boolean {
  return m.ref === 'docUpdate' && REFUSED_UPDATE_CODES.has(m.code);
}
