// Leftovers of a killed run: clip() writes `.<name>.<pid>.<hex>.partial<ext>` files and
// `.<name>.<pid>.work-XXXXXX/` folders beside the output and removes them itself, unless the process died.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { logger } from '../core/log.js';

const log = logger('batch');

const PARTIAL = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.partial(?:\.[^./]+)?$/;
const WORK = /^\.(.+)\.(\d+)\.work-[A-Za-z0-9]{6}$/;

/** Whether a process with this id still runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp name's output basename and writer pid, or undefined when the name is not one of clip()'s. */
export function parseTempName(name: string): { output: string; pid: number } | undefined {
  const m = PARTIAL.exec(name) ?? WORK.exec(name);
  return m ? { output: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * Remove temp files and folders left beside these outputs by runs whose process is gone.
 * Only names belonging to the given outputs are touched; returns the paths removed.
 */
export async function removeStaleTemps(outputs: Iterable<string>, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const byDir = new Map<string, Set<string>>();
  for (const o of outputs) {
    const dir = dirname(o);
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(basename(o));
  }
  const removed: string[] = [];
  for (const [dir, names] of byDir) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // folder not made yet: nothing left over
      throw err;
    }
    for (const entry of entries) {
      const temp = parseTempName(entry);
      if (!temp || !names.has(temp.output) || alive(temp.pid)) continue;
      const path = join(dir, entry);
      await rm(path, { recursive: true, force: true });
      log('removed stale %s (pid %d is gone)', path, temp.pid);
      removed.push(path);
    }
  }
  return removed;
}
