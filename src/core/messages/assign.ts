// Messages of watch assignments (`jiaoyan assign`, the personal player links) and of notes written in the player.
export const assign = {
  cmd_assign: {
    en: 'give a recording to teachers to watch by a due date (personal links), and see who watched how much',
    zh: '把录像布置给老师在截止日期前观看（个人链接），并查看每人的观看进度',
  },
  ASSIGNMENT_UNKNOWN: { en: 'no assignment {id}', zh: '没有作业 {id}' },
  ASSIGN_DUE_INVALID: {
    en: '--due must be a duration such as 7d or 36h, or a date (2026-11-30, or an ISO time), got "{value}"',
    zh: '--due 应为时长（如 7d、36h）或日期（2026-11-30 或 ISO 时间），收到的是 "{value}"',
  },
  ASSIGN_DUE_PAST: { en: 'the due date {due} has already passed', zh: '截止时间 {due} 已经过去' },
  ASSIGN_NO_NAMES: { en: 'say who watches it: --to "张三,李四"', zh: '请用 --to 指定观看的老师，例如 --to "张三,李四"' },
  ASSIGN_USAGE: {
    en: 'assign <recording> --to "张三,李四" --due 7d | assign status <assignment> [--csv] | assign list',
    zh: 'assign <录像> --to "张三,李四" --due 7d | assign status <作业> [--csv] | assign list',
  },
  PLAYER_RATE_LIMITED: { en: 'too many requests from this link: wait {seconds} s', zh: '此链接的请求过于频繁：请等待 {seconds} 秒' },
  assign_none: { en: 'no assignments', zh: '没有作业' },
  assign_created: { en: 'assignment {id}: "{title}", due {due}', zh: '作业 {id}：《{title}》，截止 {due}' },
  assign_heading: { en: 'assignment {id}: "{title}" ({minutes} min), due {due}', zh: '作业 {id}：《{title}》（{minutes} 分钟），截止 {due}' },
  assign_col_name: { en: 'name', zh: '姓名' },
  assign_col_watched: { en: 'watched', zh: '已观看' },
  assign_col_state: { en: 'state', zh: '状态' },
  assign_col_finished: { en: 'finished at', zh: '完成时间' },
  assign_state_on_time: { en: 'finished on time', zh: '按时完成' },
  assign_state_late: { en: 'finished late', zh: '逾期完成' },
  assign_state_overdue: { en: 'OVERDUE', zh: '已逾期' },
  assign_state_watching: { en: 'watching', zh: '观看中' },
  assign_state_not_started: { en: 'not started', zh: '未开始' },
  assign_list_line: { en: '{finished}/{total} finished, {overdue} overdue', zh: '完成 {finished}/{total}，逾期 {overdue}' },
} as const;
