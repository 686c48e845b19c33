// Cascading school relays (relay start --upstream).
export const cascade = {
  SEATS_UPSTREAM: {
    en: 'this session comes from the upstream relay: take a seat there (join it directly)',
    zh: '本活动来自上级中继：请直接加入上级中继后再上席位',
  },
  RELAY_TOKEN_WRONG: {
    en: 'the relay token is not valid here (a school token from `jiaoyan library token create`, or the admin token)',
    zh: '中继令牌在此无效（请使用 `jiaoyan library token create` 生成的学校令牌或管理员令牌）',
  },
  UPSTREAM_UNREACHABLE: { en: 'cannot reach the upstream relay {url}: {detail}', zh: '无法连接上级中继 {url}：{detail}' },
  BAD_UPSTREAM: { en: '--upstream must be an http(s) URL of a relay, not {value}', zh: '--upstream 必须是中继的 http(s) 地址，而不是 {value}' },
} as const;
