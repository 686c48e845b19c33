// Shared documents (Yjs) in a session: names, limits, updates, revisions.
export const docs = {
  DOC_NAME_BAD: {
    en: 'a document name is 1–32 lower-case letters, digits and dashes (like plan or summary), not "{name}"',
    zh: '文档名须为 1–32 个小写字母、数字或短横线（如 plan、summary），而不是“{name}”',
  },
  DOC_LIMIT: { en: 'a session has at most {max} documents', zh: '一个活动最多有 {max} 个文档' },
  DOC_TOO_LARGE: { en: 'the document would be larger than {max} bytes', zh: '文档将超过 {max} 字节的上限' },
  DOC_UPDATE_BAD: { en: 'the document update could not be read: {detail}', zh: '无法读取文档更新：{detail}' },
  DOC_AWARENESS_BAD: { en: 'the cursor update could not be read: {detail}', zh: '无法读取光标更新：{detail}' },
  DOC_NOT_OPEN: { en: 'open the document "{doc}" first', zh: '请先打开文档“{doc}”' },
  DOC_REV_UNKNOWN: { en: 'document "{doc}" has no revision {rev}', zh: '文档“{doc}”没有第 {rev} 版' },
  DOC_UNAVAILABLE: { en: 'the document "{doc}" cannot be loaded: {detail}', zh: '无法载入文档“{doc}”：{detail}' },
} as const;
