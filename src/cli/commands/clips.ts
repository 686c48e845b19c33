// `jiaoyan clips [list] [--teacher] [--phase] [--subject]`
import { UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { formatTime } from '../../core/time.js';
import { ClipCatalogue } from '../../store/clip-catalogue.js';
import type { CliContext } from '../context.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const action = String(args[0] ?? 'list');
  if (action !== 'list') throw new UsageError('BAD_CHOICE', { flag: 'clips', choices: 'list', value: action });
  const str = (k: string) => (typeof opts[k] === 'string' ? { [k]: opts[k] as string } : {});
  const clips = await new ClipCatalogue(ctx.dataDir).list({ ...str('teacher'), ...str('phase'), ...str('subject') });
  ctx.out.result({ clips }, () => {
    if (!clips.length) return t('clips_none');
    return clips
      .map((c) => [c.tags.phase ?? '-', c.tags.teacher ?? '-', c.tags.subject ?? '-', c.tags.title ?? '-',
        `${formatTime(c.actual.from)}–${formatTime(c.actual.to)}`, c.output].join('\t'))
      .join('\n');
  });
}
