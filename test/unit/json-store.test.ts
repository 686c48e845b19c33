import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../../src/core/errors.js';
import { JsonStore } from '../../src/store/json-store.js';
import { tempDir } from '../helpers/cli.js';

interface Data {
  items: number[];
}

describe('JsonStore shared by several writers', () => {
  it('loses no update when many writers add at once', async () => {
    const path = join(tempDir(), 'db.json');
    const writers = Array.from({ length: 4 }, () => new JsonStore<Data>(path, { items: [] }));
    await Promise.all(Array.from({ length: 80 }, (_, i) => writers[i % 4]!.update((d) => void d.items.push(i))));
    const data = JSON.parse(readFileSync(path, 'utf8')) as Data;
    expect(data.items.sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  it('keeps its file readable by its owner only (0600), from the first write on', async () => {
    const path = join(tempDir(), 'secrets.json');
    const store = new JsonStore<{ n: number }>(path, { n: 0 });
    await store.update((d) => void (d.n = 1));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ n: 1 });
  });

  it('takes over a lock left by a process that was killed', async () => {
    const path = join(tempDir(), 'db.json');
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid!)));
    writeFileSync(`${path}.lock`, String(pid));
    await new JsonStore<Data>(path, { items: [] }).update((d) => void d.items.push(1));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ items: [1] });
  });

  it('refuses a corrupt file with a clear error and leaves it untouched', async () => {
    const path = join(tempDir(), 'db.json');
    writeFileSync(path, '{"items": [1, 2');
    const store = new JsonStore<Data>(path, { items: [] });
    const err = await store.update((d) => void d.items.push(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).localised()).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('{"items": [1, 2');
  });
});
