// Messages of the relay's HTTPS side: TLS material, static files, HTTP errors, limits, `relay ca`.
// Each entry: English and Simplified Chinese.
export const relayServer = {
  // TLS material in <data-dir>/tls/ (generated) and --cert/--key (given).
  TLS_CA_BROKEN: {
    en: 'the relay CA in {path} cannot be used ({detail}); move the folder {dir} away to create a new CA (every device must then install the new one)',
    zh: '{path} 中的中继 CA 无法使用（{detail}）；请把文件夹 {dir} 移走以创建新的 CA（之后每台设备都需重新安装新 CA）',
  },
  TLS_FILE_MISSING: { en: '{flag} file not found: {path}', zh: '找不到 {flag} 指定的文件：{path}' },
  TLS_FILE_UNREADABLE: { en: 'cannot read {path}: {detail}', zh: '无法读取 {path}：{detail}' },
  TLS_NOT_CERT: {
    en: '{path} is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----"): {detail}',
    zh: '{path} 不是 PEM 格式的证书（应以 "-----BEGIN CERTIFICATE-----" 开头）：{detail}',
  },
  TLS_NOT_KEY: {
    en: '{path} is not an unencrypted PEM private key: {detail}',
    zh: '{path} 不是未加密的 PEM 私钥：{detail}',
  },
  TLS_KEY_ENCRYPTED: {
    en: '{path} is an encrypted private key; give the relay an unencrypted one (e.g. `openssl pkey -in {path} -out key.pem`)',
    zh: '{path} 是加密的私钥；请提供未加密的私钥（例如 `openssl pkey -in {path} -out key.pem`）',
  },
  TLS_SWAPPED: { en: 'did you swap --cert and --key?', zh: '是否把 --cert 和 --key 弄反了？' },
  TLS_KEY_MISMATCH: {
    en: 'the private key {keyPath} does not belong to the certificate {certPath}',
    zh: '私钥 {keyPath} 与证书 {certPath} 不匹配',
  },
  TLS_CERT_EXPIRED: { en: 'the certificate {path} expired on {date}', zh: '证书 {path} 已于 {date} 过期' },
  TLS_CERT_NOT_YET_VALID: { en: 'the certificate {path} is not valid before {date}', zh: '证书 {path} 在 {date} 之前无效' },

  // HTTP answers (JSON `{"error":{"code","message"}}` or plain text).
  NOT_FOUND: { en: 'not found', zh: '未找到' },
  BAD_PATH: { en: 'this address is not allowed', zh: '不允许访问此地址' },
  METHOD_NOT_ALLOWED: { en: 'method {method} is not allowed here', zh: '此处不允许使用 {method} 方法' },
  RATE_LIMITED: {
    en: 'too many failed attempts from your address; try again in {seconds} s',
    zh: '来自你的地址的失败尝试过多；请在 {seconds} 秒后重试',
  },
  FLOODED: { en: 'too many messages; disconnected', zh: '消息过多，连接已断开' },
  HTTP_INTERNAL: { en: 'internal error; the relay log has the details', zh: '内部错误；详情见中继日志' },

  // `jiaoyan relay ca`.
  cmd_relay: { en: 'the school relay: start it, check it, install its certificate', zh: '校内中继：启动、检查、安装其证书' },
  cmd_relay_ca: {
    en: "print the relay's CA certificate (install it once on each device so browsers trust the relay)",
    zh: '输出中继的 CA 证书（在每台设备上安装一次，浏览器即可信任中继）',
  },
  opt_ca_out: { en: 'write the certificate to this file instead of stdout', zh: '将证书写入此文件而不是标准输出' },
  ca_written: { en: '✓ CA certificate written to {out}', zh: '✓ CA 证书已写入 {out}' },
  ca_details: {
    en: '  subject:  {subject}\n  SHA-256:  {fingerprint}\n  valid to: {notAfter}\n  covers:   {sans}',
    zh: '  主题：    {subject}\n  SHA-256： {fingerprint}\n  有效期至：{notAfter}\n  适用地址：{sans}',
  },
  ca_install_hint: {
    en: '  install it on each device as a trusted root certificate (Windows: double-click → Install → "Trusted Root Certification Authorities"; Android: Settings → Security → Install certificate → CA)',
    zh: '  在每台设备上将其安装为受信任的根证书（Windows：双击 → 安装证书 → “受信任的根证书颁发机构”；Android：设置 → 安全 → 安装证书 → CA 证书）',
  },
} as const;
