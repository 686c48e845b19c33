// A text file as `doc import` takes it: UTF-8 only (a BOM is dropped, CRLF kept as is); anything else is refused
// with the offset of the first byte that is not UTF-8, so the teacher knows the file must be saved again.
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { RuntimeError, UsageError } from '../core/errors.js';

const BOM = [0xef, 0xbb, 0xbf] as const;

export interface DocFile {
  readonly text: string;
  /** Bytes of the text (without the BOM). */
  readonly bytes: number;
  readonly bom: boolean;
}

/** Offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629), or -1 when all do. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let follow: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) follow = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      follow = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      follow = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing past U+10FFFF
    } else return i;
    for (let k = 1; k <= follow; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += follow + 1;
  }
  return -1;
}

/** Decode UTF-8 bytes (BOM dropped) or throw DOC_NOT_UTF8 (usage: the input is wrong, exit 2). */
export function decodeUtf8(bytes: Uint8Array, path: string): DocFile {
  const bom = bytes.length >= 3 && BOM.every((x, i) => bytes[i] === x);
  const body = bom ? bytes.subarray(3) : bytes;
  if (!isUtf8(body)) {
    throw new UsageError('DOC_NOT_UTF8', { path, offset: firstInvalidUtf8(body) + (bom ? 3 : 0) });
  }
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(body), bytes: body.byteLength, bom };
}

/** Read and decode a file for `doc import` (INPUT_MISSING when it is not there). */
export async function readDocFile(path: string): Promise<DocFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') throw new RuntimeError('INPUT_MISSING', { path }, { cause: err });
    throw err;
  }
  return decodeUtf8(bytes, path);
}
