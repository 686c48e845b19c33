// Where jiaoyan keeps its data: --data-dir, else $JIAOYAN_HOME, else ~/.jiaoyan.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.JIAOYAN_HOME ? resolve(env.JIAOYAN_HOME) : join(homedir(), '.jiaoyan');
}

let root: string | undefined;

/** The jiaoyan package folder (holds presets/), found from this file whether run from src/ or dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'jiaoyan') {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('jiaoyan package root not found');
    dir = up;
  }
}
