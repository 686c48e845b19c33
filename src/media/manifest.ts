// Batch manifests: a CSV (as Excel/WPS save it) or a JSON array, read into rows with spreadsheet row numbers.
// Problems with the manifest as a whole are UsageErrors (exit 2); problems within a row are left to the runner.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import { CsvSyntaxError, decodeText, parseCsv, type TextEncodingName } from './csv.js';

export interface RowTags {
  readonly teacher?: string;
  readonly phase?: string;
  readonly subject?: string;
  readonly title?: string;
}

export interface ManifestRow {
  /** Spreadsheet row (the header is row 1); for JSON, the item's 1-based position. */
  readonly row: number;
  /** Absolute path, or '' when the cell is empty. */
  readonly input: string;
  readonly start: string;
  readonly end: string;
  readonly tags: RowTags;
  /** Absolute path when the row names its output. */
  readonly output?: string;
}

export interface Manifest {
  readonly path: string;
  readonly format: 'csv' | 'json';
  readonly encoding: TextEncodingName;
  readonly rows: readonly ManifestRow[];
}

type Column = 'input' | 'start' | 'end' | 'teacher' | 'phase' | 'subject' | 'title' | 'label' | 'output';
export const REQUIRED_COLUMNS: readonly Column[] = ['input', 'start', 'end'];

/** Header names teachers type, in English (LosslessCut's start,end,label too) or Chinese. */
const ALIASES: Record<string, Column> = {
  input: 'input', file: 'input', video: 'input', 输入: 'input', 文件: 'input', 视频: 'input', 输入文件: 'input', 视频文件: 'input',
  start: 'start', from: 'start', 开始: 'start', 开始时间: 'start', 起: 'start', 起始: 'start',
  end: 'end', to: 'end', 结束: 'end', 结束时间: 'end', 止: 'end',
  teacher: 'teacher', 教师: 'teacher', 老师: 'teacher',
  phase: 'phase', 环节: 'phase', 教学环节: 'phase',
  subject: 'subject', 学科: 'subject', 科目: 'subject',
  title: 'title', 标题: 'title', 名称: 'title',
  label: 'label', 标签: 'label',
  output: 'output', 输出: 'output', 输出文件: 'output',
};

export function columnOf(header: string): Column | undefined {
  const key = header.trim().replace(/\s+/g, '').toLowerCase();
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}

function tagsOf(get: (c: Column) => string | undefined): RowTags {
  const pick = (c: Column) => get(c)?.trim() || undefined;
  const title = pick('title') ?? pick('label');
  const out: { -readonly [K in keyof RowTags]: RowTags[K] } = {};
  for (const [k, v] of [['teacher', pick('teacher')], ['phase', pick('phase')], ['subject', pick('subject')], ['title', title]] as const) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function makeRow(base: string, row: number, get: (c: Column) => string | undefined): ManifestRow {
  const input = get('input')?.trim() ?? '';
  const output = get('output')?.trim();
  return {
    row,
    input: input ? resolve(base, input) : '',
    start: get('start')?.trim() ?? '',
    end: get('end')?.trim() ?? '',
    tags: tagsOf(get),
    ...(output ? { output: resolve(base, output) } : {}),
  };
}

/** Rows of a CSV manifest; `path` names the manifest in errors and anchors relative paths. */
export function parseCsvManifest(text: string, path: string): ManifestRow[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    throw new UsageError('MANIFEST_BAD', { path, detail: t('manifest_unterminated_quote', { row: err.record }) });
  }
  const headerAt = records.findIndex((r) => r.some((f) => f.trim() !== ''));
  if (headerAt < 0) throw new UsageError('MANIFEST_EMPTY', { path });
  const index = new Map<Column, number>();
  records[headerAt]!.forEach((h, i) => {
    const c = columnOf(h);
    if (c && !index.has(c)) index.set(c, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length) throw new UsageError('MANIFEST_MISSING_COLUMNS', { path, columns: missing.join(', ') });
  const base = dirname(path);
  const rows: ManifestRow[] = [];
  for (let i = headerAt + 1; i < records.length; i++) {
    const fields = records[i]!;
    if (fields.every((f) => f.trim() === '')) continue; // blank spreadsheet rows keep their numbers but do nothing
    rows.push(makeRow(base, i + 1, (c) => {
      const at = index.get(c);
      return at === undefined ? undefined : fields[at];
    }));
  }
  if (!rows.length) throw new UsageError('MANIFEST_EMPTY', { path });
  return rows;
}

const time = z.union([z.string(), z.number().nonnegative()]).transform((v) => String(v));
const optionalText = z.string().nullish().transform((v) => v ?? undefined);
const jsonRow = z.object({
  input: z.string(),
  start: time,
  end: time,
  teacher: optionalText,
  phase: optionalText,
  subject: optionalText,
  title: optionalText,
  label: optionalText,
  output: optionalText,
});
const jsonRows = z.array(jsonRow);

/** Rows of a JSON manifest: an array of clip objects or `{ "clips": [...] }`, validated at the boundary. */
export function parseJsonManifest(text: string, path: string): ManifestRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError('MANIFEST_BAD', { path, detail: t('manifest_json_syntax', { detail: (err as Error).message }) });
  }
  const list = Array.isArray(data) ? data : typeof data === 'object' && data !== null ? (data as { clips?: unknown }).clips : undefined;
  if (!Array.isArray(list)) throw new UsageError('MANIFEST_BAD', { path, detail: t('manifest_json_shape') });
  const parsed = jsonRows.safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [at, ...field] = issue.path;
    throw new UsageError('MANIFEST_BAD', {
      path,
      detail: t('manifest_json_item', { row: typeof at === 'number' ? at + 1 : '?', field: field.join('.') || '-', detail: issue.message }),
    });
  }
  const items = parsed.data;
  if (!items.length) throw new UsageError('MANIFEST_EMPTY', { path });
  const base = dirname(path);
  return items.map((item, i) => makeRow(base, i + 1, (c) => item[c]));
}

/** Read and parse a manifest file: `.json` (or text starting with `[`/`{`) as JSON, anything else as CSV. */
export async function readManifest(file: string): Promise<Manifest> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UsageError('MANIFEST_UNREADABLE', { path, detail: (err as NodeJS.ErrnoException).code ?? String(err) }, { cause: err });
  }
  const { text, encoding } = decodeText(bytes);
  const json = extname(path).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
  const rows = json ? parseJsonManifest(text, path) : parseCsvManifest(text, path);
  return { path, format: json ? 'json' : 'csv', encoding, rows };
}
