// The V8 flags `jiaoyan relay start` runs with: read from bin/jiaoyan.js's shebang, so the benches measure the
// relay as users run it. BENCH_RELAY_FLAGS replaces them (e.g. to compare young-generation sizes).
import { readFileSync } from 'node:fs';

const shebang = readFileSync(new URL('../bin/jiaoyan.js', import.meta.url), 'utf8').split('\n', 1)[0] ?? '';

export const RELAY_V8_FLAGS: readonly string[] = (process.env.BENCH_RELAY_FLAGS ?? shebang.replace(/^#!.*?\bnode\b/, ''))
  .split(' ')
  .filter((f) => f.startsWith('--'));
