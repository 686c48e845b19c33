// Finding a font with Chinese glyphs for drawtext labels (DejaVu has none): fontconfig first, then common folders.
import { execFile } from 'node:child_process';
import { access, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvironmentError, UsageError } from '../core/errors.js';

const execFileP = promisify(execFile);
const FONT_FILE = /\.(ttf|ttc|otf|otc)$/i;
const CJK_NAME = /(wqy|wenquanyi|noto\w*cjk|sourcehan|source-han|droidsansfallback|simhei|simsun|msyh|pingfang|arphic|ukai|uming)/i;

export interface FontInfo {
  readonly path: string;
  readonly family?: string;
  readonly source: 'flag' | 'fontconfig' | 'scan';
}

async function viaFontconfig(): Promise<FontInfo | undefined> {
  try {
    const { stdout } = await execFileP('fc-list', [':lang=zh', 'file', 'family'], { timeout: 10_000 });
    const rows = stdout.split('\n').map((l) => l.trim()).filter(Boolean)
      .map((l) => { const i = l.indexOf(': '); return i < 0 ? { path: l.replace(/:$/, ''), family: undefined } : { path: l.slice(0, i), family: l.slice(i + 2).split(',')[0] }; })
      .filter((r) => FONT_FILE.test(r.path));
    // Prefer regular sans faces over mono/sharp/bitmap variants.
    rows.sort((a, b) => Number(/mono|sharp|bitmap/i.test(a.family ?? '')) - Number(/mono|sharp|bitmap/i.test(b.family ?? '')));
    const r = rows[0];
    return r ? { path: r.path, ...(r.family ? { family: r.family } : {}), source: 'fontconfig' } : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // no fontconfig: scan folders instead
    throw err;
  }
}

async function scan(dir: string, depth = 0): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined; // folder absent or unreadable: nothing there for us
  }
  for (const e of entries) if (e.isFile() && FONT_FILE.test(e.name) && CJK_NAME.test(e.name)) return join(dir, e.name);
  if (depth < 4) for (const e of entries) if (e.isDirectory()) {
    const hit = await scan(join(dir, e.name), depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/** A usable CJK font, or undefined when none is installed. */
export async function findCjkFont(): Promise<FontInfo | undefined> {
  const fc = await viaFontconfig();
  if (fc) return fc;
  for (const dir of ['/usr/share/fonts', '/usr/local/share/fonts', join(homedir(), '.fonts'), join(homedir(), '.local/share/fonts')]) {
    const hit = await scan(dir);
    if (hit) return { path: hit, source: 'scan' };
  }
  return undefined;
}

/** The font to use: the --font file (must exist) or a found CJK font; else EnvironmentError with the fix. */
export async function resolveFont(flag?: string): Promise<FontInfo> {
  if (flag) {
    try {
      await access(flag);
    } catch {
      throw new UsageError('FONT_FILE_MISSING', { path: flag });
    }
    return { path: flag, source: 'flag' };
  }
  const found = await findCjkFont();
  if (!found) throw new EnvironmentError('FONT_MISSING');
  return found;
}
