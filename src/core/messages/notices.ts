// Messages of voice notices: the relay's HTTP answers (`/api/sessions/<id>/notices`) and `jiaoyan notice`.
// Each entry: English and Simplified Chinese.
export const notices = {
  // Refusals and bad uploads (HTTP 403 / 404 / 400 / 413 / 409).
  MEMBER_TOKEN_WRONG: {
    en: 'not a participant of this session (a missing or expired member token): join the session again',
    zh: '不是本活动的参会人员（成员令牌缺失或已失效）：请重新加入活动',
  },
  NOTICE_NOT_ALLOWED: {
    en: 'only the host and seat holders can add voice notices',
    zh: '只有主持人和席位发言人可以发布语音通知',
  },
  NOTICE_TOO_LARGE: { en: 'a voice notice is at most {max}', zh: '语音通知最大 {max}' },
  NOTICE_TOO_LONG: {
    en: 'a voice notice is at most {max} s long; this one is {seconds} s',
    zh: '语音通知最长 {max} 秒；这一条有 {seconds} 秒',
  },
  NOTICE_NOT_AUDIO: {
    en: 'not a voice recording: the file needs exactly one audio stream ({detail})',
    zh: '不是语音录音：文件需要有且只有一条音频流（{detail}）',
  },
  NOTICE_UNKNOWN: { en: 'no voice notice {id} in this session', zh: '本活动中没有语音通知 {id}' },
  NOTICE_LIMIT: {
    en: 'this session already has {max} voice notices',
    zh: '本活动的语音通知已达上限（{max} 条）',
  },
  // HTTP 429: the sender's previous notice is still being received, or the relay is receiving two already.
  NOTICE_BUSY: {
    en: 'the relay is still receiving another voice notice: try again in a moment',
    zh: '中继正在接收另一条语音通知，请稍后再试',
  },

  // `jiaoyan notice add | list | get`.
  cmd_notice: {
    en: "a live session's voice notices: add an audio file, list them, download one",
    zh: '活动中的语音通知：上传音频文件、列出、下载',
  },
  notice_added: {
    en: '✓ voice notice {id} added: {seconds} s, {bytes} bytes ({mime})',
    zh: '✓ 已发布语音通知 {id}：{seconds} 秒，{bytes} 字节（{mime}）',
  },
  notice_saved: { en: '✓ voice notice {id} → {output} ({bytes} bytes)', zh: '✓ 语音通知 {id} → {output}（{bytes} 字节）' },
  notice_none: { en: 'the session has no voice notices yet', zh: '活动中还没有语音通知' },
  NOTICE_UNSUPPORTED: {
    en: 'the relay at {url} has no voice notices (it is older than this jiaoyan): update it',
    zh: '{url} 的中继不支持语音通知（版本比本 jiaoyan 旧）：请更新中继',
  },
  NOTICE_NO_LIST: {
    en: 'the relay did not send the voice notices within {seconds} s',
    zh: '中继在 {seconds} 秒内没有发来语音通知列表',
  },
} as const;
