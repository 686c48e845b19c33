// Batch manifests as teachers make them: Excel/WPS CSV in GB18030 or UTF-8 (BOM or not), or JSON.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, UsageError } from '../../src/core/errors.js';
import { decodeText, parseCsv, sniffDelimiter } from '../../src/media/csv.js';
import { parseCsvManifest, parseJsonManifest, readManifest } from '../../src/media/manifest.js';
import { tempDir } from '../helpers/cli.js';

const CHINESE = 'input,start,end,teacher,phase,subject,title\r\n课堂录像.mp4,00:01:02.5,00:03:00,张老师,导入,数学,"复习, ""旧知"""\r\n';

function usageCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect(exitCodeOf(err)).toBe(2);
    return (err as UsageError).code;
  }
  throw new Error('expected a UsageError');
}

describe('CSV text', () => {
  it('splits quoted fields holding commas, newlines and doubled quotes', () => {
    const text = 'a,b,c\n"x, y","line 1\nline 2","say ""hi"""\n';
    expect(parseCsv(text)).toEqual([['a', 'b', 'c'], ['x, y', 'line 1\nline 2', 'say "hi"']]);
  });

  it('ends records at CRLF, LF or a lone CR, without an empty record after the last line break', () => {
    expect(parseCsv('a,b\r\n1,2\r\n3,4\r5,6\n')).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
    expect(parseCsv('a,b\r\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields and blank lines so record numbers stay spreadsheet rows', () => {
    expect(parseCsv('a,,c\n\n,,\n')).toEqual([['a', '', 'c'], [''], ['', '', '']]);
  });

  it('keeps a stray quote inside an unquoted field literally', () => {
    expect(parseCsv('a,5"3,c\n')).toEqual([['a', '5"3', 'c']]);
  });

  it('takes the delimiter from the header line (comma, semicolon or tab)', () => {
    expect(sniffDelimiter('input;start;end\n1,5;2;3')).toBe(';');
    expect(sniffDelimiter('input\tstart\tend\n')).toBe('\t');
    expect(sniffDelimiter('"a;b",start,end\n')).toBe(',');
    expect(parseCsv('input;start;end\nx.mp4;1,5;3\n')).toEqual([['input', 'start', 'end'], ['x.mp4', '1,5', '3']]);
  });
});

describe('manifest bytes', () => {
  it('reads UTF-8 without a BOM', () => {
    expect(decodeText(Buffer.from(CHINESE, 'utf8'))).toEqual({ text: CHINESE, encoding: 'utf-8' });
  });

  it('strips a UTF-8 BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHINESE, 'utf8')]);
    expect(decodeText(bytes)).toEqual({ text: CHINESE, encoding: 'utf-8' });
  });

  it('falls back to GB18030 for what Excel and WPS save in China', () => {
    expect(decodeText(iconv.encode(CHINESE, 'gb18030'))).toEqual({ text: CHINESE, encoding: 'gb18030' });
  });

  it('round-trips characters outside GBK through GB18030', () => {
    const rare = 'input,start,end,teacher\r\nx.mp4,1,2,𠀀老师\r\n';
    expect(decodeText(iconv.encode(rare, 'gb18030')).text).toBe(rare);
  });
});

describe('CSV manifests', () => {
  const path = '/school/2024/manifest.csv';

  it('gives rows spreadsheet numbers, Chinese values intact and paths resolved against the manifest folder', () => {
    const rows = parseCsvManifest(CHINESE, path);
    expect(rows).toEqual([{
      row: 2, input: '/school/2024/课堂录像.mp4', start: '00:01:02.5', end: '00:03:00',
      tags: { teacher: '张老师', phase: '导入', subject: '数学', title: '复习, "旧知"' },
    }]);
  });

  it('accepts Chinese header names and ignores extra columns', () => {
    const rows = parseCsvManifest('输入,开始,结束,教师,环节,备注,输出\na.mp4,1,2,李老师,小结,随便写,out/a.mp4\n', path);
    expect(rows[0]).toEqual({
      row: 2, input: '/school/2024/a.mp4', start: '1', end: '2', tags: { teacher: '李老师', phase: '小结' }, output: '/school/2024/out/a.mp4',
    });
  });

  it('takes a LosslessCut-style label as the title', () => {
    const rows = parseCsvManifest('start,end,label,input\n0,5,开场,a.mp4\n', path);
    expect(rows[0]!.tags).toEqual({ title: '开场' });
  });

  it('counts a multi-line quoted cell as one spreadsheet row and skips blank rows without renumbering', () => {
    const rows = parseCsvManifest('input,start,end,title\na.mp4,1,2,"two\nlines"\n,,,\nb.mp4,3,4,x\n', path);
    expect(rows.map((r) => r.row)).toEqual([2, 4]);
    expect(rows[0]!.tags.title).toBe('two\nlines');
  });

  it('keeps rows with empty or unreadable cells for the runner to report', () => {
    const rows = parseCsvManifest('input,start,end\n,1,2\na.mp4,soon,2\n', path);
    expect(rows.map((r) => [r.row, r.input, r.start])).toEqual([[2, '', '1'], [3, '/school/2024/a.mp4', 'soon']]);
  });

  it('refuses a header without input, start and end (exit 2), naming the missing columns', () => {
    expect(usageCode(() => parseCsvManifest('input,teacher\na.mp4,张老师\n', path))).toBe('MANIFEST_MISSING_COLUMNS');
    try {
      parseCsvManifest('input,teacher\na.mp4,张老师\n', path);
    } catch (err) {
      expect((err as UsageError).params.columns).toBe('start, end');
    }
  });

  it('refuses a manifest whose first row is data, not a header', () => {
    expect(usageCode(() => parseCsvManifest('a.mp4,1,2\n', path))).toBe('MANIFEST_MISSING_COLUMNS');
  });

  it('refuses an empty manifest and one with only a header', () => {
    expect(usageCode(() => parseCsvManifest('', path))).toBe('MANIFEST_EMPTY');
    expect(usageCode(() => parseCsvManifest('input,start,end\r\n\r\n', path))).toBe('MANIFEST_EMPTY');
  });

  it('refuses an unterminated quote, naming the row where it opened', () => {
    try {
      parseCsvManifest('input,start,end\na.mp4,1,2\nb.mp4,3,"4\n', path);
      throw new Error('expected a UsageError');
    } catch (err) {
      expect((err as UsageError).code).toBe('MANIFEST_BAD');
      expect((err as UsageError).localised()).toContain('row 3');
    }
  });
});

describe('JSON manifests', () => {
  const path = '/school/m.json';

  it('reads an array of clips with numeric or text times', () => {
    const rows = parseJsonManifest(JSON.stringify([{ input: 'a.mp4', start: 1.5, end: '00:00:04', teacher: '张老师', label: '导入片段', extra: true }]), path);
    expect(rows).toEqual([{ row: 1, input: '/school/a.mp4', start: '1.5', end: '00:00:04', tags: { teacher: '张老师', title: '导入片段' } }]);
  });

  it('reads { "clips": [...] } with absolute outputs kept as they are', () => {
    const rows = parseJsonManifest(JSON.stringify({ clips: [{ input: '/v/a.mp4', start: 0, end: 2, output: '/out/x.mp4', phase: null }] }), path);
    expect(rows).toEqual([{ row: 1, input: '/v/a.mp4', start: '0', end: '2', tags: {}, output: '/out/x.mp4' }]);
  });

  it('refuses unparsable JSON, the wrong shape, a wrongly typed field and an empty list (exit 2)', () => {
    expect(usageCode(() => parseJsonManifest('[{"input": "a.mp4",', path))).toBe('MANIFEST_BAD');
    expect(usageCode(() => parseJsonManifest('{"rows": []}', path))).toBe('MANIFEST_BAD');
    expect(usageCode(() => parseJsonManifest('[{"input": "a.mp4", "start": true, "end": 2}]', path))).toBe('MANIFEST_BAD');
    expect(usageCode(() => parseJsonManifest('[]', path))).toBe('MANIFEST_EMPTY');
  });

  it('names the clip and field of a validation problem', () => {
    try {
      parseJsonManifest('[{"input":"a.mp4","start":1,"end":2},{"input":"b.mp4","end":2}]', path);
      throw new Error('expected a UsageError');
    } catch (err) {
      expect((err as UsageError).localised()).toMatch(/clip 2, field start/);
    }
  });
});

describe('reading a manifest file', () => {
  it('detects GB18030 and UTF-8-BOM files and JSON by extension or content', async () => {
    const dir = tempDir();
    const gb = join(dir, '教研.csv');
    const bom = join(dir, 'bom.csv');
    const json = join(dir, 'clips.txt');
    writeFileSync(gb, iconv.encode(CHINESE, 'gb18030'));
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHINESE, 'utf8')]));
    writeFileSync(json, '\n [{"input":"a.mp4","start":0,"end":1}]');
    const [a, b, c] = await Promise.all([readManifest(gb), readManifest(bom), readManifest(json)]);
    expect([a.format, a.encoding, b.format, b.encoding, c.format]).toEqual(['csv', 'gb18030', 'csv', 'utf-8', 'json']);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows[0]!.tags.teacher).toBe('张老师');
    expect(a.rows[0]!.input).toBe(join(dir, '课堂录像.mp4'));
  });

  it('refuses a missing manifest with exit 2', async () => {
    const err = await readManifest(join(tempDir(), 'nope.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('MANIFEST_UNREADABLE');
  });
});
