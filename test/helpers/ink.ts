// Helpers for tests of the Ink views: frames without colour codes, waiting for a frame, and a stand-in terminal.
import { EventEmitter } from 'node:events';
import type { render } from 'ink-testing-library';

export const strip = (frame: string) => frame.replace(/\u001B\[[0-9;]*m/g, '');

/** Resolve with the newest frame from index `from` on that satisfies `check` (ink commits asynchronously). */
export async function frameWhere(app: ReturnType<typeof render>, check: (frame: string) => boolean, from = 0): Promise<string> {
  for (let turn = 0; ; turn++) {
    const frame = app.frames.slice(from).map(strip).findLast(check);
    if (frame !== undefined) return frame;
    if (turn > 20_000) throw new Error(`no such frame; last:\n${strip(app.frames.at(-1) ?? '')}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A stand-in terminal for render(): a TTY-like stdin that can be typed into, a stdout that keeps what it got. */
export function fakeTerminal() {
  const written: string[] = [];
  const out = Object.assign(new EventEmitter(), {
    columns: 100,
    rows: 40,
    write: (chunk: string) => {
      written.push(chunk);
      return true;
    },
    output: () => written.join(''),
  });
  let pending: string | null = null;
  const input = Object.assign(new EventEmitter(), {
    isTTY: true,
    write: (data: string) => {
      pending = data;
      input.emit('readable');
    },
    read: () => {
      const data = pending;
      pending = null;
      return data;
    },
    setEncoding: () => {},
    setRawMode: () => {},
    resume: () => {},
    pause: () => {},
    ref: () => {},
    unref: () => {},
  });
  return { stdout: out as unknown as NodeJS.WriteStream & { output(): string }, stdin: input as unknown as NodeJS.ReadStream & { write(data: string): void } };
}
