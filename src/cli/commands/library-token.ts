// `jiaoyan library token create|list|revoke --school NAME`, on the county relay's machine: upload tokens let a
// school publish recordings here (`library publish --to`) and open nothing else. The token is printed once.
import { UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { UploadTokens } from '../../store/upload-tokens.js';
import type { CliContext } from '../context.js';

export async function tokenCommand(ctx: CliContext, action: string, opts: Record<string, unknown>): Promise<void> {
  const tokens = new UploadTokens(ctx.dataDir);
  const school = typeof opts.school === 'string' ? opts.school.trim() : '';
  if (action === 'list') {
    const list = await tokens.list();
    ctx.out.result({ tokens: list }, () => (list.length ? list.map((x) => `${x.createdAt.slice(0, 16).replace('T', ' ')}  ${x.school}`).join('\n') : t('token_none')));
    return;
  }
  if (action !== 'create' && action !== 'revoke') throw new UsageError('USAGE', { detail: 'library token create --school NAME | token list | token revoke --school NAME' });
  if (!school || school.length > 100) throw new UsageError('TOKEN_SCHOOL_MISSING');
  if (action === 'revoke') {
    const count = await tokens.revoke(school);
    ctx.out.result({ school, revoked: count }, () => t('token_revoked', { school, count }));
    return;
  }
  const token = await tokens.create(school);
  ctx.out.result({ school, token }, () => t('token_created', { school, token }));
}
