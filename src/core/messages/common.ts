// Messages shared by every command. Each entry: English and Simplified Chinese.
export const common = {
  USAGE: { en: '{detail}', zh: '{detail}' },
  REMOTE_ERROR: { en: '{detail}', zh: '{detail}' },
  INTERNAL: { en: 'internal error: {detail} (please report this with --debug output)', zh: '内部错误：{detail}（请附上 --debug 输出反馈此问题）' },
  INVALID_STATE: { en: '{what} is already closed', zh: '{what} 已关闭' },
  ABORTED: { en: 'interrupted', zh: '已中断' },
  BAD_TIME: {
    en: 'cannot read time "{value}": use HH:MM:SS[.mmm], MM:SS[.mmm] or seconds',
    zh: '无法识别时间 "{value}"：请使用 HH:MM:SS[.mmm]、MM:SS[.mmm] 或秒数',
  },
  BAD_NUMBER: { en: '{flag} must be {what}, got "{value}"', zh: '{flag} 必须是{what}，收到的是 "{value}"' },
  BAD_CHOICE: { en: '{flag} must be one of {choices}, got "{value}"', zh: '{flag} 只能是 {choices} 之一，收到的是 "{value}"' },
  DATA_DIR_UNWRITABLE: {
    en: 'data dir {path} is not writable ({detail}); set --data-dir or JIAOYAN_HOME to a writable folder',
    zh: '数据目录 {path} 不可写（{detail}）；请用 --data-dir 或 JIAOYAN_HOME 指定可写目录',
  },
  STORE_CORRUPT: {
    en: 'catalogue {path} is not valid JSON ({detail}); it was left untouched — fix or move it away',
    zh: '目录文件 {path} 不是有效的 JSON（{detail}）；文件未被改动——请修复或移走它',
  },
  STORE_LOCKED: { en: 'catalogue {path} is locked by another process for too long', zh: '目录文件 {path} 被其他进程锁定过久' },
  error_prefix: { en: 'error', zh: '错误' },
  hint_prefix: { en: 'fix', zh: '解决办法' },
} as const;
