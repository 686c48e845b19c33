// Every text the join page shows, in Simplified Chinese and English. Pure (no DOM): the page passes in
// navigator.languages and the stored choice. `{name}` placeholders are filled by t().

export type Lang = 'zh' | 'en';
type Entry = { readonly zh: string; readonly en: string };

export const messages = {
  app_name: { zh: '教研', en: 'Jiaoyan' },
  lang_switch: { zh: 'English', en: '中文' },
  form_heading: { zh: '加入教研活动', en: 'Join a teaching-research session' },
  code_label: { zh: '邀请码', en: 'Invite code' },
  name_label: { zh: '您的姓名', en: 'Your name' },
  venue_label: { zh: '您的学校（会场）', en: 'Your school (venue)' },
  advanced: { zh: '高级选项', en: 'Advanced' },
  host_key_label: { zh: '主持人密钥（仅主持人填写）', en: 'Host key (hosts only)' },
  join_button: { zh: '加入', en: 'Join' },
  joining: { zh: '正在加入…', en: 'Joining…' },
  lookup_checking: { zh: '正在查询邀请码…', en: 'Checking the invite code…' },
  lookup_found: { zh: '活动：{title}', en: 'Session: {title}' },
  lookup_unknown: { zh: '没有这个邀请码的活动，请核对后再试', en: 'No session has this invite code — check it and try again' },
  lookup_ended: { zh: '这个活动已经结束', en: 'This session has ended' },
  lookup_rate_limited: { zh: '尝试次数过多，请 {seconds} 秒后再试', en: 'Too many attempts — try again in {seconds} s' },
  lookup_failed: { zh: '无法连接到服务器，请检查网络', en: 'Cannot reach the relay — check the network' },
  code_invalid: { zh: '邀请码是 9 位数字，例如 482-193-775', en: 'The invite code has 9 digits, e.g. 482-193-775' },
  name_required: { zh: '请填写您的姓名', en: 'Please enter your name' },
  venue_required: { zh: '请填写您的学校', en: 'Please enter your school' },
  host_key_invalid: { zh: '主持人密钥格式不正确', en: 'The host key is not valid' },
  seats_free: { zh: '空余席位 {free}/{total}', en: 'Seats free: {free} of {total}' },
  take_seat: { zh: '申请发言席位', en: 'Take a seat' },
  leave_seat: { zh: '离开席位', en: 'Leave seat' },
  seat_waiting: { zh: '正在申请席位…', en: 'Asking for a seat…' },
  start_broadcast: { zh: '开始直播', en: 'Start broadcasting' },
  stop_broadcast: { zh: '停止直播', en: 'Stop broadcasting' },
  mic_off: { zh: '关闭麦克风', en: 'Mute microphone' },
  mic_on: { zh: '打开麦克风', en: 'Unmute microphone' },
  cam_off: { zh: '关闭摄像头', en: 'Turn camera off' },
  cam_on: { zh: '打开摄像头', en: 'Turn camera on' },
  sound_on: { zh: '打开声音', en: 'Turn sound on' },
  leave: { zh: '退出', en: 'Leave' },
  participants: { zh: '参会人员（{count}）', en: 'Participants ({count})' },
  role_host: { zh: '主持人', en: 'Host' },
  role_speaker: { zh: '发言人', en: 'Speaker' },
  role_viewer: { zh: '观众', en: 'Viewer' },
  seat_badge: { zh: '席位', en: 'Seat' },
  you: { zh: '（我）', en: '(you)' },
  mic_muted: { zh: '麦克风已关闭', en: 'Microphone off' },
  cam_muted: { zh: '摄像头已关闭', en: 'Camera off' },
  main_waiting: { zh: '等待主会场开始直播…', en: 'Waiting for the main venue to broadcast…' },
  main_venue: { zh: '主会场：{venue}', en: 'Main venue: {venue}' },
  my_camera: { zh: '我的画面', en: 'My camera' },
  reconnecting: { zh: '网络中断，正在重新连接…', en: 'Connection lost — reconnecting…' },
  upstream_reconnecting: { zh: '本校中继与上级中继的连接中断，正在重新连接，画面会自动恢复…', en: 'The school relay lost its link to the upstream relay — reconnecting; the picture comes back by itself…' },
  ended_title: { zh: '活动已结束', en: 'The session has ended' },
  back: { zh: '返回', en: 'Back' },
  dismiss: { zh: '关闭', en: 'Close' },
  seat_refused: { zh: '暂时没有空余席位', en: 'No seat is free right now' },
  media_failed: { zh: '无法使用摄像头或麦克风：{detail}', en: 'Cannot use the camera or microphone: {detail}' },
  media_insecure: {
    zh: '浏览器只允许在 https 页面使用摄像头，请使用学校服务器的 https 地址',
    en: 'Browsers allow the camera only on https pages — open the relay’s https address',
  },
  publish_failed: { zh: '发送音视频失败：{detail}', en: 'Could not start sending: {detail}' },
  seat_revoked: { zh: '主持人收回了您的席位', en: 'The host took back your seat' },
  raise_hand: { zh: '举手', en: 'Raise hand' },
  lower_hand: { zh: '放下手', en: 'Lower hand' },
  hand_raised: { zh: '已举手，等待主持人安排席位', en: 'Hand raised — waiting for the host' },
  hand_badge: { zh: '举手发言', en: 'Hand raised' },
  muted_by_host_audio: { zh: '主持人已将你静音', en: 'The host muted your microphone' },
  muted_by_host_video: { zh: '主持人关闭了你的摄像头', en: 'The host turned your camera off' },
  ended_removed: { zh: '主持人已将您移出活动', en: 'The host removed you from the session' },
  recording: { zh: '录制中', en: 'Recording' },
  switching_to: { zh: '正在切换到 {venue}…', en: 'Switching to {venue}…' },
  rundown_title: { zh: '活动流程', en: 'Rundown' },
  next_step: { zh: '下一环节', en: 'Next step' },
  record_start: { zh: '开始录制', en: 'Record' },
  record_stop: { zh: '停止录制', en: 'Stop recording' },
  make_main: { zh: '设为主会场', en: 'Make main venue' },
  grant_seat: { zh: '授予席位', en: 'Give a seat' },
  revoke_seat: { zh: '收回席位', en: 'Take back seat' },
  mute_mic: { zh: '静音', en: 'Mute' },
  mute_cam: { zh: '关闭画面', en: 'Camera off' },
  remove: { zh: '移出', en: 'Remove' },
  remove_confirm: { zh: '确认移出？', en: 'Remove — sure?' },
  chat_title: { zh: '讨论区', en: 'Discussion' },
  chat_placeholder: { zh: '输入讨论内容，回车发送', en: 'Write a message' },
  chat_send: { zh: '发送', en: 'Send' },
  chat_count: { zh: '{count}/{max} 字', en: '{count}/{max} characters' },
  chat_empty: { zh: '还没有人发言', en: 'No messages yet' },
  chat_not_sent: { zh: '连接中断，消息未发出', en: 'Not connected — the message was not sent' },
  notices_title: { zh: '语音通知', en: 'Voice notices' },
  notice_record: { zh: '录制语音通知', en: 'Record a voice notice' },
  notice_send: { zh: '停止并发送', en: 'Stop and send' },
  notice_cancel: { zh: '取消', en: 'Cancel' },
  notice_elapsed: { zh: '录音中 {elapsed} / {max}', en: 'Recording {elapsed} / {max}' },
  notice_sending: { zh: '正在发送语音通知…', en: 'Sending the voice notice…' },
  notice_empty: { zh: '还没有语音通知', en: 'No voice notices yet' },
  notice_play: { zh: '播放', en: 'Play' },
  notice_play_failed: { zh: '无法播放这条语音通知', en: 'This voice notice could not be played' },
  notice_mic_failed: { zh: '无法使用麦克风录音：{detail}', en: 'Cannot record from the microphone: {detail}' },
  notice_send_failed: { zh: '语音通知没有发出：{detail}', en: 'The voice notice was not sent: {detail}' },
  docs_title: { zh: '共享文档', en: 'Shared document' },
  doc_synced: { zh: '已同步', en: 'In sync' },
  doc_syncing: { zh: '正在同步…', en: 'Syncing…' },
  doc_offline: { zh: '离线编辑：内容先保存在本页，恢复连接后自动合并', en: 'Offline — edits are kept here and merge when the connection is back' },
  doc_new: { zh: '新建文档', en: 'New document' },
  doc_new_placeholder: { zh: '新文档名称，如 summary', en: 'New document name, e.g. summary' },
  doc_name_invalid: { zh: '文档名只能用小写字母 a-z、数字和“-”，最多 32 个字符，如 summary', en: 'Use a-z, 0-9 and “-” (at most 32 characters), e.g. summary' },
  doc_limit: { zh: '一个活动最多 8 个文档', en: 'A session has at most 8 documents' },
  doc_editor_label: { zh: '共享文档 {name}', en: 'Shared document {name}' },
  doc_empty: { zh: '在这里写下活动计划，大家可以同时编辑…', en: 'Write the plan here — everyone can edit at the same time…' },
  doc_reloaded: {
    zh: '服务器没有接受你对文档“{name}”的修改（{reason}），已从服务器重新载入这份文档，尚未送达的修改已丢失',
    en: 'The relay refused your change to “{name}” ({reason}), so the document was reloaded from the relay — edits it had not received are lost',
  },
  'doc_refused.DOC_TOO_LARGE': { zh: '文档将超过 2 MB', en: 'the document would be over 2 MB' },
  'doc_refused.DOC_UPDATE_BAD': { zh: '修改无法读取', en: 'the change could not be read' },
  'error.CODE_UNKNOWN': { zh: '没有这个邀请码的活动', en: 'No session has this invite code' },
  'error.SESSION_ENDED': { zh: '这个活动已经结束', en: 'This session has ended' },
  'error.RATE_LIMITED': { zh: '尝试次数过多，请稍后再试', en: 'Too many attempts — try again shortly' },
  'error.HOST_KEY_WRONG': { zh: '主持人密钥不正确', en: 'The host key is wrong' },
  'error.SEAT_FULL': { zh: '席位已满', en: 'All seats are taken' },
  'error.VIEWER_CANNOT_PUBLISH': { zh: '观众不能发送音视频，请先申请席位', en: 'Viewers cannot send — take a seat first' },
  'error.NOT_JOINED': { zh: '尚未加入活动', en: 'Not in the session yet' },
  'error.ALREADY_JOINED': { zh: '已经加入了活动', en: 'Already in the session' },
  'error.BAD_JSON': { zh: '服务器无法读取页面发送的消息', en: 'The relay could not read a message from this page' },
  'error.BAD_MESSAGE': { zh: '服务器拒绝了页面发送的消息', en: 'The relay refused a message from this page' },
  'error.TOO_LARGE': { zh: '消息过大', en: 'A message was too large' },
  'error.BAD_SDP': { zh: '音视频协商失败', en: 'Media negotiation failed' },
  'error.INTERNAL': { zh: '服务器内部错误', en: 'Internal relay error' },
  'error.RELAY_TOKEN_WRONG': { zh: '中继令牌无效', en: 'The relay token is not valid' },
  'error.RECORDING_DISK_FULL': { zh: '录制已停止：中继的磁盘已满，活动继续进行', en: 'Recording stopped: the relay’s disk is full. The session goes on.' },
  'error.RECORDING_WRITE_FAILED': { zh: '录制已停止：录像文件写入失败，活动继续进行', en: 'Recording stopped: the recording could not be written. The session goes on.' },
  'error.SEAT_BY_HOST': { zh: '席位由主持人安排，请举手', en: 'The host gives the seats — raise your hand' },
  'error.SEAT_ALREADY_HELD': { zh: '已经有席位了', en: 'Already holds a seat' },
  'error.SEAT_NOT_HELD': { zh: '没有席位', en: 'Holds no seat' },
  'error.MONITOR_NO_MEDIA': { zh: '监看连接不能发送音视频', en: 'A monitor connection cannot send media' },
  'error.HOST_ONLY': { zh: '只有主持人可以这样做', en: 'Only the host can do that' },
  'error.PEER_UNKNOWN': { zh: '这位参会人员已经离开', en: 'That participant has left' },
  'error.VENUE_ABSENT': { zh: '这个会场没有人在线', en: 'Nobody from that venue is here' },
  'error.VENUE_NOT_PUBLISHING': { zh: '这个会场没有在直播', en: 'That venue is not broadcasting' },
  'error.RUNDOWN_EMPTY': { zh: '这个活动没有流程', en: 'This session has no rundown' },
  'error.RUNDOWN_END': { zh: '已经是最后一个环节', en: 'This is already the last step' },
  'error.CHAT_EMPTY': { zh: '消息是空的', en: 'The message is empty' },
  'error.CHAT_TOO_LONG': { zh: '消息太长，最多 500 字', en: 'The message is too long (500 characters at most)' },
  'error.CHAT_RATE_LIMITED': { zh: '发言太频繁，请稍后再发', en: 'Too many messages — wait a moment' },
  'error.SUBSCRIBE_RESTART_LIMIT': { zh: '接收音视频的连接多次失败，正在重新加入', en: 'The media connection kept failing — rejoining' },
  'error.MEMBER_TOKEN_WRONG': { zh: '连接已更新，请重试', en: 'The connection was renewed — try again' },
  'error.NOTICE_NOT_ALLOWED': { zh: '只有主持人和席位发言人可以发布语音通知', en: 'Only the host and seat holders can add voice notices' },
  'error.NOTICE_TOO_LARGE': { zh: '语音通知太大（最多 2 MB）', en: 'The voice notice is too large (2 MB at most)' },
  'error.NOTICE_TOO_LONG': { zh: '语音通知最长 60 秒', en: 'A voice notice is at most 60 seconds long' },
  'error.NOTICE_NOT_AUDIO': { zh: '录音无法识别，没有发出', en: 'The recording could not be read and was not sent' },
  'error.NOTICE_UNKNOWN': { zh: '这条语音通知不存在', en: 'That voice notice does not exist' },
  'error.NOTICE_LIMIT': { zh: '本活动的语音通知已达上限', en: 'This session has reached its limit of voice notices' },
  'error.NOTICE_BUSY': { zh: '正在接收另一条语音通知，请稍后再发', en: 'Another voice notice is still being received — send again in a moment' },
  'error.DOC_NAME_BAD': { zh: '文档名不正确', en: 'The document name is not valid' },
  'error.DOC_LIMIT': { zh: '一个活动最多 8 个文档', en: 'A session has at most 8 documents' },
  'error.DOC_TOO_LARGE': { zh: '文档太大（最多 2 MB），这次修改没有保存', en: 'The document is too large (2 MB at most) — this change was not kept' },
  'error.DOC_UPDATE_BAD': { zh: '文档修改无法读取，没有保存', en: 'A document change could not be read and was not kept' },
  'error.DOC_AWARENESS_BAD': { zh: '光标信息无法读取', en: 'Cursor information could not be read' },
  'error.DOC_NOT_OPEN': { zh: '文档尚未打开', en: 'The document is not open' },
  'error.DOC_REV_UNKNOWN': { zh: '没有这个历史版本', en: 'No such revision' },
  'error.DOC_UNAVAILABLE': { zh: '文档暂时无法使用，请稍后再试', en: 'The document is not available right now — try again shortly' },
} as const satisfies Record<string, Entry>;

export type MessageKey = keyof typeof messages;
export type Params = Record<string, string | number>;

let current: Lang = 'zh';

/** The stored choice if valid, else the first browser language that is Chinese or English, else Chinese. */
export function pickLang(stored: string | null, languages: readonly string[]): Lang {
  if (stored === 'zh' || stored === 'en') return stored;
  for (const l of languages) {
    if (/^zh\b/i.test(l)) return 'zh';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'zh';
}

export function setLang(lang: Lang): void {
  current = lang;
}

export function getLang(): Lang {
  return current;
}

/** The BCP 47 tag for `<html lang>`. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(messages, key);
}

/** Localised text for `key`, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Params = {}, lang: Lang = current): string {
  const entry: Entry = messages[key];
  return entry[lang].replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
}

/** The page's text for a relay error code, or the relay's own message for a code the page does not know. */
export function errorText(code: string, relayMessage: string, lang: Lang = current): string {
  const key = `error.${code}`;
  return isMessageKey(key) ? t(key, {}, lang) : relayMessage;
}
