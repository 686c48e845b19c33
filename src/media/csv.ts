// CSV as spreadsheets save it: UTF-8 (with or without BOM) or GB18030 bytes, RFC 4180 quoting, CRLF.
import iconv from 'iconv-lite';

export type TextEncodingName = 'utf-8' | 'gb18030';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Decode manifest bytes: a UTF-8 BOM is stripped; bytes that are valid UTF-8 are UTF-8; anything else is
 * GB18030 (a superset of GBK/GB2312, what Excel and WPS save in China).
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  const bom = bytes.length >= 3 && UTF8_BOM.every((b, i) => bytes[i] === b);
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body), encoding: 'utf-8' };
  } catch (err) {
    if (!(err instanceof TypeError)) throw err; // TypeError: the bytes are not UTF-8
    return { text: iconv.decode(Buffer.from(body), 'gb18030'), encoding: 'gb18030' };
  }
}

const DELIMITERS = [',', ';', '\t'] as const;

/** The delimiter used in the first line (outside quotes): comma unless semicolons or tabs clearly dominate. */
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

export class CsvSyntaxError extends Error {
  /** 1-based record (spreadsheet row) where the problem starts. */
  readonly record: number;
  constructor(record: number, message: string) {
    super(message);
    this.record = record;
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Split CSV text into records of fields. Quoted fields may hold delimiters, newlines and doubled quotes;
 * records end at LF, CRLF or a lone CR. A final line break does not start an empty record; blank lines do
 * (so record i is spreadsheet row i + 1).
 */
export function parseCsv(text: string, delimiter = sniffDelimiter(text)): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let quoteOpenedAt = 0;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      quoteOpenedAt = records.length + 1;
    } else if (ch === delimiter) {
      endField();
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else {
      field += ch; // includes a stray quote inside an unquoted field, kept literally
    }
    i++;
  }
  if (quoted) throw new CsvSyntaxError(quoteOpenedAt, 'unterminated quoted field');
  if (field !== '' || record.length > 0) endRecord();
  return records;
}
