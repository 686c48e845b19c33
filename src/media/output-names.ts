// Output file names for batch rows: deterministic (so a re-run finds the same files), safe on any filesystem
// a school might use (ext4, NTFS, FAT32/exFAT USB sticks), and never shared by two rows.
import { basename, dirname, extname, join } from 'node:path';

const FORBIDDEN = /[/\\:*?"<>|\p{Cc}\p{Cf}]/gu; // path separators, Windows-reserved characters, control/format chars
const MAX_PART_CHARS = 40;
const MAX_NAME_BYTES = 200; // well under the 255-byte limit of ext4/NTFS, leaving room for temp-file affixes

/** A file-name-safe version of user text: keeps Chinese and other letters, drops what filesystems reject. */
export function sanitiseName(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\s+/g, ' ') // tabs and line breaks (multi-line cells) become spaces first
    .replace(FORBIDDEN, '')
    .replace(/ {2,}/g, ' ')
    .trim()
    .replace(/^\.+/, '') // no hidden files
    .replace(/[. ]+$/, ''); // Windows drops trailing dots and spaces
}

function truncateChars(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max).join('').trim();
}

function truncateBytes(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

export interface NameSource {
  readonly row: number;
  readonly input: string;
  readonly teacher?: string;
  readonly phase?: string;
  readonly title?: string;
}

/**
 * `003_张老师_导入_复习旧知.mp4`: the row number first (unique, keeps spreadsheet order in a file list),
 * then teacher, phase and title; the input's name stands in when the row has no tags.
 */
export function defaultOutputName(src: NameSource): string {
  const parts = [src.teacher, src.phase, src.title]
    .map((p) => truncateChars(sanitiseName(p ?? ''), MAX_PART_CHARS))
    .filter(Boolean);
  if (!parts.length && src.input) parts.push(truncateChars(sanitiseName(basename(src.input, extname(src.input))), MAX_PART_CHARS));
  const stem = truncateBytes([String(src.row).padStart(3, '0'), ...parts].join('_'), MAX_NAME_BYTES);
  return `${stem}.mp4`;
}

export function defaultOutputPath(outDir: string, src: NameSource): string {
  return join(outDir, defaultOutputName(src));
}

/** Identity of a path for collision checks: case-folded and NFC, since FAT/exFAT/NTFS/APFS ignore case. */
export function pathIdentity(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** The default output folder: beside the manifest, named after it (`lessons.csv` → `lessons-clips/`). */
export function defaultOutDir(manifestPath: string): string {
  return join(dirname(manifestPath), `${basename(manifestPath, extname(manifestPath))}-clips`);
}
