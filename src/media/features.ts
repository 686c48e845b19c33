// Feature detection: which filters and encoders this ffmpeg build has (the bundled one is from 2018).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locate } from './locate.js';

const execFileP = promisify(execFile);

export interface Features {
  readonly version: string;
  readonly filters: ReadonlySet<string>;
  readonly encoders: ReadonlySet<string>;
}

let cached: Promise<Features> | undefined;

async function list(path: string, what: '-filters' | '-encoders'): Promise<string> {
  const { stdout } = await execFileP(path, ['-hide_banner', what], { maxBuffer: 8 * 1024 * 1024 });
  return stdout;
}

/** Parse `ffmpeg -filters` / `-encoders` output: the second column is the name. */
export function parseNames(text: string, flagsWidth: number): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z.|]+)\s+(\S+)/.exec(line);
    if (m && m[1]!.length >= flagsWidth - 1 && m[2] !== '=') names.add(m[2]!);
  }
  return names;
}

export async function detectFeatures(): Promise<Features> {
  cached ??= (async () => {
    const { path } = locate('ffmpeg');
    const [v, f, e] = await Promise.all([
      execFileP(path, ['-hide_banner', '-version']).then((r) => r.stdout),
      list(path, '-filters'),
      list(path, '-encoders'),
    ]);
    const version = /ffmpeg version (\S+)/.exec(v)?.[1] ?? 'unknown';
    return { version, filters: parseNames(f, 3), encoders: parseNames(e, 6) };
  })();
  return cached;
}
