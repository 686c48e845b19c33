// The real relay killed with SIGKILL while a shared document is being edited: once an edit is on disk (the log is
// appended within 200 ms), the restarted relay on the same data folder gives the document back intact; stopping it
// properly cuts a last revision and folds the log into the snapshot.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseLog } from '../../src/store/doc-store.js';
import { tempDir } from '../helpers/cli.js';
import { DocClient } from '../helpers/doc-client.js';
import { startRelayCli, exited } from '../helpers/relay-cli.js';
import { createSession, until, type TestRelay } from '../helpers/relay.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** How long the relay may take to put an edit on disk (it batches for 200 ms). */
const PERSIST_DEADLINE_MS = 10_000;

/** The document as the files in `dir` hold it right now (snapshot + log), read the way the relay loads it. */
function textOnDisk(dir: string, name = 'plan'): string {
  const doc = new Y.Doc({ gc: false });
  const snapshot = join(dir, `${name}.snapshot`);
  if (existsSync(snapshot)) Y.applyUpdate(doc, readFileSync(snapshot));
  const log = join(dir, `${name}.log`);
  if (existsSync(log)) for (const u of parseLog(readFileSync(log)).updates) Y.applyUpdate(doc, u);
  return doc.getText('text').toString();
}

async function editor(r: TestRelay, code: string, name: string): Promise<DocClient> {
  const c = await DocClient.connect({ url: r.running.url, ca: r.ca, code, name });
  cleanups.push(() => c.close());
  return c;
}

describe('a relay killed while a document is edited', () => {
  it('gives the document back intact after kill -9 and a restart on the same data folder', async () => {
    const home = tempDir();
    const first = await startRelayCli(home, cleanups);
    const s = await createSession(first.relay, { title: '集体备课', kind: 'prep' });
    const a = await editor(first.relay, s.code, '王老师');
    const lines = ['# 分数的初步认识', '一、情境导入：分月饼', '二、探究新知：认识二分之一', '三、巩固练习', '四、课堂小结'];
    for (const line of lines) for (const ch of `${line}\n`) a.replica.text.insert(a.replica.text.length, ch);
    a.replica.text.delete(0, 2); // and a deletion
    const expected = a.text;
    const dir = join(home, 'docs', s.id);
    await until(() => existsSync(join(dir, 'plan.log')) && textOnDisk(dir) === expected, 'the edits on disk', PERSIST_DEADLINE_MS);

    first.child.kill('SIGKILL');
    await exited(first.child);
    a.close();

    const second = await startRelayCli(home, cleanups);
    const b = await editor(second.relay, s.code, '李老师');
    expect(b.text).toBe(expected);
    // Editing goes on where it stopped; a proper stop cuts a revision with who edited.
    b.replica.text.insert(b.replica.text.length, '五、作业\n');
    await until(() => textOnDisk(dir) === `${expected}五、作业\n`, 'the new edit on disk', PERSIST_DEADLINE_MS);
    b.close();
    second.child.kill('SIGTERM');
    await exited(second.child);
    // The proper stop left everything in the snapshot: the next start reads that alone.
    expect(statSync(join(dir, 'plan.log')).size).toBe(0);
    expect(textOnDisk(dir)).toBe(`${expected}五、作业\n`);

    const third = await startRelayCli(home, cleanups);
    const c = await editor(third.relay, s.code, '赵老师');
    expect(c.text).toBe(`${expected}五、作业\n`);
    const revisions = await c.replica.history();
    expect(revisions).toMatchObject([{ rev: 1, by: ['李老师'], chars: c.text.length }]);
    expect(await c.replica.textAt(1)).toBe(c.text);
    c.close();
    third.child.kill('SIGTERM');
    await exited(third.child);
  });
});
