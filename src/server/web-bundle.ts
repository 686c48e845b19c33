// Builds the browser join page (src/web) into the folder the relay serves as its web root:
//   <outDir>/index.html                      (served for `/` and `/j/<code>`)
//   <outDir>/assets/main.js, main.js.map     (`/assets/main.js`: the bundled page script, ESM)
//   <outDir>/assets/player.js                (`/assets/player.js`: the recording player of `/play/<id>`)
//   <outDir>/assets/style.css                (`/assets/style.css`)
//   a `.gz` twin of each of these, sent to browsers that accept gzip
// `npm run build` runs this file, producing dist/web/. esbuild is loaded only when a build is asked for,
// so importing this module costs nothing at runtime.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Browsers the page must run in: Chromium 87+ (incl. 360 / QQ browsers) and Firefox 78+. */
export const WEB_TARGETS = ['chrome87', 'firefox78'];

/** The folder holding src/web/main.ts, found from this file whether it runs from src/ or dist/src/. */
export function webSourceDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'src', 'web');
    if (existsSync(join(candidate, 'main.ts'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`src/web/main.ts not found above ${from}`);
  }
}

export async function buildWebBundle(outDir: string): Promise<void> {
  const { build } = await import('esbuild');
  const src = webSourceDir();
  const assets = join(outDir, 'assets');
  await mkdir(assets, { recursive: true });
  const common = { bundle: true, minify: true, logLevel: 'warning', legalComments: 'none', target: WEB_TARGETS } as const;
  await build({
    ...common,
    entryPoints: [join(src, 'main.ts')],
    outfile: join(assets, 'main.js'),
    format: 'esm',
    platform: 'browser',
    sourcemap: true,
    tsconfig: join(src, 'tsconfig.json'),
  });
  // The recording player (`/play/<id>`), a page of its own.
  await build({
    ...common,
    entryPoints: [join(src, 'player.ts')],
    outfile: join(assets, 'player.js'),
    format: 'esm',
    platform: 'browser',
    sourcemap: true,
    tsconfig: join(src, 'tsconfig.json'),
  });
  await build({ ...common, entryPoints: [join(src, 'style.css')], outfile: join(assets, 'style.css') });
  await copyFile(join(src, 'index.html'), join(outDir, 'index.html'));
  // Gzip twins the relay sends to browsers that take gzip (the page script shrinks to about a third).
  for (const f of ['assets/main.js', 'assets/player.js', 'assets/style.css', 'index.html']) {
    await writeFile(join(outDir, `${f}.gz`), gzipSync(await readFile(join(outDir, f)), { level: 9 }));
  }
}

// `node --import tsx src/server/web-bundle.ts [outDir]` (what `npm run build` does): default dist/web.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(webSourceDir(), '..', '..', 'dist', 'web'));
  await buildWebBundle(outDir);
}
