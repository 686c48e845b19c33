// Messages of the batch commands. Each entry: English and Simplified Chinese.
export const batch = {
  // Row problems (machine codes of `error` events).
  CELL_EMPTY: { en: 'the {column} cell is empty', zh: '{column} 一栏为空' },
  OUTPUT_TAKEN: { en: 'output {path} is already written by row {other}', zh: '输出文件 {path} 已由第 {other} 行写入' },
  OUTPUT_IS_INPUT: { en: 'output {path} would overwrite the input of row {other}', zh: '输出文件 {path} 会覆盖第 {other} 行的输入文件' },
  OUTPUT_UNWRITABLE: { en: 'cannot write {path}: {detail}', zh: '无法写入 {path}：{detail}' },
  BATCH_FAILED: { en: '{failed} of {total} clips failed', zh: '{total} 个片段中有 {failed} 个失败' },

  // Manifest syntax (details of MANIFEST_BAD).
  manifest_unterminated_quote: { en: 'a quoted cell opened on row {row} is never closed', zh: '第 {row} 行开始的引号单元格没有闭合' },
  manifest_json_syntax: { en: 'not valid JSON ({detail})', zh: '不是有效的 JSON（{detail}）' },
  manifest_json_shape: { en: 'expected an array of clips or {"clips": [...]}', zh: '应为片段数组或 {"clips": [...]}' },
  manifest_json_item: { en: 'clip {row}, field {field}: {detail}', zh: '第 {row} 个片段的 {field} 字段：{detail}' },

  // Flags.
  batch_jobs_what: { en: 'a whole number of at least 1', zh: '不小于 1 的整数' },

  // Plain-text report (stdout: results; stderr: progress and problems).
  batch_line_start: { en: '→ row {row}: {input} {from}–{to} → {output}', zh: '→ 第 {row} 行：{input} {from}–{to} → {output}' },
  batch_line_done: { en: '✓ row {row}: {output} ({duration} s, {frames} frames)', zh: '✓ 第 {row} 行：{output}（{duration} 秒，{frames} 帧）' },
  batch_line_skipped: { en: '= row {row}: {output} (already made)', zh: '= 第 {row} 行：{output}（已完成，跳过）' },
  batch_line_error: { en: '✗ row {row}: {message}', zh: '✗ 第 {row} 行：{message}' },
  batch_line_summary: {
    en: '{done} done, {skipped} skipped, {failed} failed of {total} ({elapsed} s)',
    zh: '共 {total} 个：完成 {done}，跳过 {skipped}，失败 {failed}（用时 {elapsed} 秒）',
  },
  batch_line_interrupted: { en: 'interrupted: {remaining} not run; run the same command again to resume', zh: '已中断：{remaining} 个未执行；再次运行同一命令即可继续' },

  // Live view.
  batch_ui_row: { en: 'row {row}', zh: '第 {row} 行' },
  batch_ui_overall: { en: 'overall', zh: '总进度' },
  batch_ui_eta: { en: 'ETA {eta}', zh: '预计剩余 {eta}' },
  batch_ui_eta_unknown: { en: 'ETA …', zh: '预计剩余 …' },
  batch_ui_counts: {
    en: '{done} done · {skipped} skipped · {failed} failed · {total} total',
    zh: '完成 {done} · 跳过 {skipped} · 失败 {failed} · 共 {total}',
  },
} as const;
