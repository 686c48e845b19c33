// Messages of publishing a recording to the county relay: upload tokens, the chunked resumable upload (both
// sides), its progress and its errors.
export const publish = {
  // Receiving side (the county relay's `/api/uploads…`).
  UPLOAD_UNKNOWN: { en: 'no upload {id}', zh: '没有上传任务 {id}' },
  UPLOAD_OFFSET: {
    en: '{file}: the relay has {received} bytes, the chunk starts at {offset}',
    zh: '{file}：中继已收到 {received} 字节，而此分块从 {offset} 开始',
  },
  UPLOAD_INCOMPLETE: { en: '{file}: {received} of {size} bytes received', zh: '{file}：已收到 {size} 字节中的 {received} 字节' },
  UPLOAD_HASH_MISMATCH: {
    en: '{file} arrived damaged (its SHA-256 differs): it was discarded, run the same command again to send it anew',
    zh: '{file} 传输后已损坏（SHA-256 不一致）：已丢弃，请再次运行同一命令重新发送',
  },
  UPLOAD_TOO_LARGE: { en: 'an upload is limited to {max}', zh: '一次上传最多 {max}' },
  UPLOAD_TOO_MANY: {
    en: '{school} has {max} unfinished uploads here: finish one (run its publish again) first',
    zh: '{school} 在此有 {max} 个未完成的上传：请先完成其中之一（再次运行其发布命令）',
  },
  UPLOAD_PUBLISHED_OTHER: {
    en: 'this recording was already published here with other files ({file}); the county keeps the first copy',
    zh: '此录像已用不同的文件（{file}）发布过；县平台保留第一次的副本',
  },
  // Sending side (`jiaoyan library publish <id> --to URL --token T`).
  PUBLISH_TOKEN_WRONG: {
    en: 'the county relay {url} refused the token: ask its administrator for an upload token (`jiaoyan library token create --school …` there)',
    zh: '县平台中继 {url} 拒绝了此令牌：请向其管理员索取上传令牌（在县平台运行 `jiaoyan library token create --school …`）',
  },
  PUBLISH_UNREACHABLE: {
    en: 'cannot reach the county relay at {url}: {detail}',
    zh: '无法连接县平台中继 {url}：{detail}',
  },
  PUBLISH_RESUME_HINT: {
    en: 'nothing is lost: run the same command again to resume from the last confirmed chunk',
    zh: '已传部分不会丢失：再次运行同一命令即可从最后确认的分块继续',
  },
  PUBLISH_STALLED: {
    en: 'the county relay keeps answering a different position for {file}; try again later',
    zh: '县平台中继对 {file} 的续传位置反复不一致；请稍后重试',
  },
  PUBLISH_CHUNK_SIZE: { en: '--chunk-size must be between {min} and {max} bytes, got "{value}"', zh: '--chunk-size 应在 {min} 到 {max} 字节之间，收到 "{value}"' },
  TOKEN_SCHOOL_MISSING: { en: 'name the school: library token create --school NAME', zh: '请指定学校：library token create --school 学校名' },
  publish_transcoding: { en: 'transcoding the program with {preset}…', zh: '正在用 {preset} 转码主画面……' },
  publish_hashing: { en: 'checking the files (SHA-256)…', zh: '正在校验文件（SHA-256）……' },
  publish_resuming: { en: '{file}: resuming at {percent}% ({sent} of {total})', zh: '{file}：从 {percent}%（{total} 中的 {sent}）处继续' },
  publish_done: { en: '✓ {id} published to {url} as {remote}', zh: '✓ {id} 已发布到 {url}，编号 {remote}' },
  token_created: {
    en: 'upload token for {school} (shown only now; give it to the school, it opens nothing but uploads):\n{token}',
    zh: '{school} 的上传令牌（仅此一次显示；交给该校，它只能用于上传）：\n{token}',
  },
  token_revoked: { en: '{count} upload token(s) of {school} revoked', zh: '已撤销 {school} 的 {count} 个上传令牌' },
  token_none: { en: 'no upload tokens', zh: '没有上传令牌' },
} as const;
