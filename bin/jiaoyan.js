#!/usr/bin/env -S node --max-semi-space-size=4 --single-threaded-gc
// Entry point: no logic here. Runs the compiled CLI (built by `npm install` via `prepare`);
// falls back to the TypeScript sources through tsx when the build is missing. V8 flags, for the relay's pauses
// (bench:relay, 150 viewers): a 4 MB young generation makes each scavenge short (about 4 ms against 7-17 ms at
// 16 MB), and single-threaded GC stops the pause waiting for helper threads that have no free core (they stretched
// scavenges to 100+ ms when the relay shares its core).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
let entry;
if (existsSync(built)) {
  entry = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import('../src/cli/main.ts');
}
process.exitCode = await entry.main();
