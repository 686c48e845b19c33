// Messages of finding relays on the LAN (mDNS): `relay list`, `join` without --relay, the relay's announcement.
export const discovery = {
  cmd_relay_list: { en: 'list the relays announcing themselves on the LAN (mDNS)', zh: '列出在局域网内广播的中继（mDNS）' },
  opt_discover_timeout: { en: 'how long to listen for relays, in ms', zh: '等待中继回应的时间（毫秒）' },
  opt_no_announce: { en: 'do not announce the relay on the LAN (mDNS)', zh: '不在局域网内广播此中继（mDNS）' },
  relay_list_none: {
    en: 'no relay found on the LAN (is this computer on the school network, and the relay running?)',
    zh: '局域网内没有找到中继（本机是否连接到学校网络？中继是否在运行？）',
  },
  discovery_searching: { en: 'no relay given: looking for one on the LAN…', zh: '未指定中继：正在局域网内查找……' },
  discovery_using: { en: 'using the relay "{name}" at {url}', zh: '使用中继“{name}”（{url}）' },
  discovery_using_of: {
    en: 'using the relay "{name}" at {url}: of the {count} found, the first that knows this invite code',
    zh: '使用中继“{name}”（{url}）：在找到的 {count} 个中继里，它是第一个知道此邀请码的',
  },
  discovery_skipped: { en: 'skipping the relay "{name}" at {url}: {reason}', zh: '跳过中继“{name}”（{url}）：{reason}' },
  LAN_NO_RELAY: {
    en: 'no relay given and none found on the LAN: pass --relay URL (or the join link), or check that this computer is on the school network',
    zh: '未指定中继，局域网内也没有找到：请使用 --relay URL（或加入链接），或检查本机是否连接到学校网络',
  },
  LAN_CA_MISMATCH: {
    en: 'the certificate of the relay "{name}" at {url} does not match its announcement: not trusted (use --relay and --ca)',
    zh: '中继“{name}”（{url}）的证书与其广播不符：不予信任（请使用 --relay 和 --ca）',
  },
  LAN_UNAVAILABLE: { en: 'cannot look for relays on the LAN: {detail}', zh: '无法在局域网内查找中继：{detail}' },
} as const;
