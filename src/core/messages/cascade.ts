// Cascading school relays (relay start --upstream).
export const cascade = {
  SEATS_UPSTREAM: {
    en: 'this session comes from the upstream relay: take a seat there (join it directly)',
    zh: '本活动来自上级中继：请直接加入上级中继后再上席位',
  },
  UPSTREAM_UNREACHABLE: { en: 'cannot reach the upstream relay {url}: {detail}', zh: '无法连接上级中继 {url}：{detail}' },
  BAD_UPSTREAM: { en: '--upstream must be an http(s) URL of a relay, not {value}', zh: '--upstream 必须是中继的 http(s) 地址，而不是 {value}' },
} as const;
