// `jiaoyan presets [list | show NAME]`
import { UsageError } from '../../core/errors.js';
import { getLang, t } from '../../core/i18n.js';
import { findPreset, listPresets } from '../../media/presets.js';
import type { CliContext } from '../context.js';

export async function run(ctx: CliContext, args: unknown[]): Promise<void> {
  const action = String(args[0] ?? 'list');
  if (action === 'list') {
    const all = await listPresets(ctx.dataDir);
    const rows = all.map((e) => ({ kind: e.kind, name: e.name, origin: e.origin, path: e.path, description: e.preset.description }));
    ctx.out.result({ presets: rows }, () =>
      [t('presets_header'), ...rows.map((r) => `${r.kind.padEnd(10)}${r.name.padEnd(18)}${r.origin.padEnd(9)}${r.description[getLang()]}`)].join('\n'),
    );
    return;
  }
  if (action === 'show') {
    if (typeof args[1] !== 'string') throw new UsageError('USAGE', { detail: 'presets show NAME' });
    const e = await findPreset(ctx.dataDir, args[1]);
    ctx.out.result({ kind: e.kind, origin: e.origin, path: e.path, ...e.preset }, () => JSON.stringify(e.preset, null, 2));
    return;
  }
  throw new UsageError('BAD_CHOICE', { flag: 'presets', choices: 'list, show', value: action });
}
