// `jiaoyan compare <a> <b> [<c> <d>] [--labels "张老师,李老师"] [--audio 1|2|both] [--font FILE] [-o OUT]`
import { resolve } from 'node:path';
import { t } from '../../core/i18n.js';
import { checkInputCount, parseAudioChoice, parseLabels } from '../../media/compare-graph.js';
import { compare, defaultCompareName } from '../../media/compare.js';
import type { CliContext } from '../context.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const inputs = (Array.isArray(args[0]) ? args[0] : [args[0]]).map(String);
  checkInputCount(inputs.length);
  const labels = typeof opts.labels === 'string' ? parseLabels(opts.labels, inputs.length) : undefined;
  const audio = parseAudioChoice(String(opts.audio ?? '1'), inputs.length);
  const output = resolve(typeof opts.output === 'string' ? opts.output : defaultCompareName(inputs));
  const result = await compare({
    inputs, output, audio, signal: ctx.signal,
    ...(labels ? { labels } : {}),
    ...(typeof opts.font === 'string' ? { font: opts.font } : {}),
    onProgress: (p) => ctx.out.progress.update(p),
  });
  ctx.out.progress.end();
  for (const n of result.silentInputs) ctx.out.info(t('compare_no_audio', { n, path: result.inputs[n - 1] ?? '' }));
  ctx.out.result(result, () => t('compare_done', {
    output: result.output, width: result.width, height: result.height, duration: result.duration.toFixed(3),
    audio: result.audio === 'both' ? t('compare_audio_both') : t('compare_audio_one', { n: result.audio }),
  }));
}
