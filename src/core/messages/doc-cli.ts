// Messages of the shared-document commands: `jiaoyan doc import|export|history|list`.
export const docCli = {
  cmd_doc: {
    en: "a live session's shared documents: import a file, export the text (or an earlier revision), history, list",
    zh: '活动中的共享文档：导入文件、导出文本（或某个历史版本）、查看历史、列出文档',
  },
  DOC_NOT_UTF8: {
    en: '{path} is not UTF-8 text (invalid byte at offset {offset}): save it as UTF-8 (e.g. “Save as… UTF-8” in Notepad or WPS) and import it again',
    zh: '{path} 不是 UTF-8 文本（偏移 {offset} 处的字节无效）：请另存为 UTF-8 编码（如记事本或 WPS 的“另存为… UTF-8”）后重新导入',
  },
  DOC_NOT_FOUND: {
    en: 'the session has no document "{doc}" (documents: {docs})',
    zh: '活动中没有名为“{doc}”的文档（现有文档：{docs}）',
  },
  doc_imported: {
    en: '✓ {path} → document "{doc}": {chars} characters, revision {rev}',
    zh: '✓ {path} → 文档“{doc}”：{chars} 个字符，版本 {rev}',
  },
  doc_exported: { en: '✓ document "{doc}"{at} → {output} ({bytes} bytes)', zh: '✓ 文档“{doc}”{at} → {output}（{bytes} 字节）' },
  doc_at_rev: { en: ' at revision {rev}', zh: '（版本 {rev}）' },
  doc_list_none: { en: 'the session has no documents yet', zh: '活动中还没有文档' },
  doc_col_name: { en: 'name', zh: '名称' },
  doc_col_chars: { en: 'chars', zh: '字符数' },
  doc_col_updated: { en: 'updated', zh: '更新时间' },
  doc_col_rev: { en: 'rev', zh: '版本' },
  doc_col_at: { en: 'at', zh: '时间' },
  doc_col_bytes: { en: 'bytes', zh: '字节' },
  doc_col_by: { en: 'by', zh: '编辑者' },
  doc_history_none: { en: 'document "{doc}" has no revisions yet', zh: '文档“{doc}”还没有历史版本' },
  doc_rev_what: { en: 'a revision number (see `doc history`)', zh: '版本号（见 `doc history`）' },
  doc_none_listed: { en: 'none', zh: '无' },
} as const;
