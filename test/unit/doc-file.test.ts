// What `doc import` accepts as a text file, and how `doc history`/`doc list` lay out their tables.
import { describe, expect, it } from 'vitest';
import { listTable, table } from '../../src/cli/commands/doc.js';
import { decodeUtf8, firstInvalidUtf8 } from '../../src/cli/doc-file.js';
import { UsageError } from '../../src/core/errors.js';
import { displayWidth } from '../../src/ui/text-width.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('doc import input', () => {
  it('drops a BOM and keeps CRLF, Chinese and emoji as they are', () => {
    const text = '# 教案\r\n导入 😀 ok\r\n';
    const file = decodeUtf8(bytes([0xef, 0xbb, 0xbf], text), 'plan.md');
    expect(file).toEqual({ text, bytes: Buffer.byteLength(text), bom: true });
    expect(decodeUtf8(bytes(text), 'plan.md').bom).toBe(false);
  });

  it('refuses GBK bytes with the offset of the first one that is not UTF-8 (a usage error, exit 2)', () => {
    const gbk = bytes('ab', [0xbd, 0xcc, 0xb0, 0xb8]); // 教案 in GBK
    expect(() => decodeUtf8(gbk, 'plan.md')).toThrow(UsageError);
    expect(() => decodeUtf8(gbk, 'plan.md')).toThrow(/plan\.md is not UTF-8 text \(invalid byte at offset 2\)/);
    expect(() => decodeUtf8(bytes([0xef, 0xbb, 0xbf], '教', [0xff]), 'x.md')).toThrow(/offset 6/);
  });

  it('finds overlong forms, surrogates, code points past U+10FFFF and cut-off sequences', () => {
    expect(firstInvalidUtf8(bytes('教案 😀'))).toBe(-1);
    expect(firstInvalidUtf8(bytes('a', [0xc0, 0xaf]))).toBe(1);
    expect(firstInvalidUtf8(bytes('ab', [0xed, 0xa0, 0x80]))).toBe(2);
    expect(firstInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(bytes('教', [0xe6, 0x95]))).toBe(3);
  });
});

describe('doc tables', () => {
  it('aligns columns by terminal width, Chinese included', () => {
    const out = table(['名称', 'n'], [['教案', '12'], ['plan', '3']], new Set([1]));
    const lines = out.split('\n');
    expect(lines.map((l) => displayWidth(l))).toEqual([8, 8, 8]);
    expect(lines[2]).toBe('plan   3');
  });

  it('lists documents with their size', () => {
    expect(listTable([{ name: 'plan', chars: 1234, updatedAt: new Date().toISOString() }])).toMatch(/^name\s+chars\s+updated\nplan\s+1234\s+\d{4}-/);
  });
});
