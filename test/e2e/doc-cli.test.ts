// The `doc` commands as a script runs them: the real binary against a relay started with `relay start`, a session
// from `session start --json`. A teacher's Chinese Markdown file (BOM, CRLF, emoji) goes in and comes back out
// byte for byte; the history names who imported it; an earlier revision can be exported after further edits.
import { type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocReplica } from '../../src/client/doc-replica.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { collect, ndjson, runCli, spawnCli, tempDir } from '../helpers/cli.js';

let home: string;
let relay: ChildProcess;
let files: string;
let session: { code: string; url: string; hostKey: string };

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const PLAN = '# 三年级数学《分数的初步认识》教案\r\n\r\n## 导入（5 分钟）\r\n- 分蛋糕：一人一半 🍰 → ½\r\n- 提问：“一半”怎么写？🤔\r\n\r\n## 新授\r\n1. 认识 1/2、1/3\r\n2. 折纸活动 ✂️📄\r\n';
const REVISED = '# 教案（第二稿）\r\n导入改为折纸 📄\r\n';

const cli = (args: string[]) => runCli(args, { env: { JIAOYAN_HOME: home } });

/** Run the binary and keep its stdout as bytes (the export is compared byte for byte). */
async function cliBytes(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawnCli(args, { env: { JIAOYAN_HOME: home } });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const run = await collect(child);
  return { code: run.code, stdout: Buffer.concat(chunks), stderr: run.stderr };
}

function write(name: string, data: Buffer | string): string {
  const path = join(files, name);
  writeFileSync(path, data);
  return path;
}

beforeAll(async () => {
  home = tempDir();
  files = tempDir('jiaoyan-doc-files-');
  relay = spawnCli(['relay', 'start', '--port', '0', '--bind', '127.0.0.1', '--json', '--no-announce'], { env: { JIAOYAN_HOME: home } });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: relay.stdout! }).on('line', (line) => {
      if (line.includes('"listening"')) resolve();
    });
    relay.once('exit', (code) => reject(new Error(`relay exited (${code}) before listening`)));
  });
  const started = await cli(['session', 'start', '--title', '三年级数学集体备课', '--kind', 'prep', '--json']);
  expect(started.code, started.stderr).toBe(0);
  session = JSON.parse(started.stdout) as typeof session;
});

afterAll(async () => {
  if (relay.exitCode !== null || relay.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => relay.once('exit', () => resolve()));
  relay.kill('SIGTERM');
  await gone;
});

describe('jiaoyan doc', () => {
  it('imports a Chinese Markdown file and exports the same bytes (without the BOM); the history names the importer', async () => {
    const input = write('教案.md', Buffer.concat([BOM, Buffer.from(PLAN, 'utf8')]));
    const imported = await cli(['--json', 'doc', 'import', session.code, input, '--host-key', session.hostKey, '--author', '王老师', '--venue', '一小']);
    expect(imported.code, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ doc: 'plan', path: input, chars: PLAN.length, bytes: Buffer.byteLength(PLAN), bom: true, rev: expect.any(Number) });

    const out = join(files, 'exported.md');
    const exported = await cli(['--json', 'doc', 'export', session.url, '-o', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ doc: 'plan', output: out, bytes: Buffer.byteLength(PLAN) });
    expect(readFileSync(out).equals(Buffer.from(PLAN, 'utf8'))).toBe(true);

    const toStdout = await cliBytes(['doc', 'export', session.code, '--name', 'plan']);
    expect(toStdout.code, toStdout.stderr).toBe(0);
    expect(toStdout.stdout.equals(Buffer.from(PLAN, 'utf8'))).toBe(true);

    const history = await cli(['--json', 'doc', 'history', session.code]);
    expect(history.code, history.stderr).toBe(0);
    const revisions = ndjson(history.stdout);
    expect(revisions.at(-1)).toMatchObject({ event: 'revision', doc: 'plan', rev: result.rev, label: 'import', by: ['王老师'], chars: PLAN.length, at: expect.any(String) });
    const table = await cli(['--lang', 'zh', 'doc', 'history', session.code]);
    expect(table.stdout).toMatch(/版本\s+时间\s+字符数\s+字节\s+编辑者/);
    expect(table.stdout).toContain('王老师 (import)');

    const list = await cli(['--json', 'doc', 'list', session.code]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({ docs: [expect.objectContaining({ name: 'plan', updatedAt: expect.any(String) })] });
  });

  it('exports an earlier revision after someone edited the document and it was imported again', async () => {
    const first = write('first.md', PLAN);
    const imported = await cli(['--json', 'doc', 'import', session.code, first, '--name', 'draft', '--host-key', session.hostKey]);
    expect(imported.code, imported.stderr).toBe(0);
    const { rev } = JSON.parse(imported.stdout) as { rev: number };

    // Someone in the page adds a line (a headless replica here); once its history comes back on the same
    // connection, the relay has applied the edit.
    const ca = readFileSync(join(home, 'tls', 'ca.pem'), 'utf8');
    const client = await ParticipantClient.connect({ relay: new URL(session.url).origin, code: session.code, name: '李老师', venue: '三小', ca });
    const replica = new DocReplica({ doc: 'draft', send: (m) => client.send(m), user: { name: '李老师' } });
    client.on('message', (m) => replica.handle(m));
    replica.open();
    await replica.synced();
    expect(replica.text.toString()).toBe(PLAN);
    replica.text.insert(replica.text.length, '3. 练习：涂色 🎨\r\n');
    await replica.history();
    replica.close();
    client.close();
    const edited = await cliBytes(['doc', 'export', session.code, '--name', 'draft']);
    expect(edited.stdout.toString('utf8')).toBe(`${PLAN}3. 练习：涂色 🎨\r\n`);

    const second = await cli(['--json', 'doc', 'import', session.code, write('second.md', REVISED), '--name', 'draft', '--host-key', session.hostKey]);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { rev: number }).rev).toBeGreaterThan(rev);

    const now = await cliBytes(['doc', 'export', session.code, '--name', 'draft']);
    expect(now.stdout.toString('utf8')).toBe(REVISED);
    const out = join(files, 'at-first.md');
    const atFirst = await cli(['doc', 'export', session.code, '--name', 'draft', '--at', String(rev), '-o', out]);
    expect(atFirst.code, atFirst.stderr).toBe(0);
    expect(readFileSync(out).equals(Buffer.from(PLAN, 'utf8'))).toBe(true);

    const unknownRev = await cli(['--json', 'doc', 'export', session.code, '--name', 'draft', '--at', '9999']);
    expect(unknownRev.code).toBe(4);
    expect(JSON.parse(unknownRev.stdout)).toMatchObject({ event: 'error', code: 'DOC_REV_UNKNOWN' });
  });

  it('carries a document longer than a WebSocket frame whole, now and at its revision', async () => {
    const paragraph = `${'教研活动记录：分数的意义、折纸与涂色，学生讨论 😀。'.repeat(20)}\r\n`;
    const long = paragraph.repeat(300); // ~360 KB of UTF-8: several chunks each way
    expect(Buffer.byteLength(long)).toBeGreaterThan(5 * 64 * 1024);
    const imported = await cli(['--json', 'doc', 'import', session.code, write('long.md', long), '--name', 'long', '--host-key', session.hostKey]);
    expect(imported.code, imported.stderr).toBe(0);
    const { rev } = JSON.parse(imported.stdout) as { rev: number };
    const now = await cliBytes(['doc', 'export', session.code, '--name', 'long']);
    expect(now.stdout.equals(Buffer.from(long, 'utf8'))).toBe(true);
    const atRev = await cliBytes(['doc', 'export', session.code, '--name', 'long', '--at', String(rev)]);
    expect(atRev.stdout.equals(Buffer.from(long, 'utf8'))).toBe(true);
  });

  it('refuses an import without the right host key, and nothing changes', async () => {
    const input = write('wrong-key.md', '不应出现');
    const wrong = await cli(['doc', 'import', session.code, input, '--host-key', 'x'.repeat(32)]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('wrong host key');
    const wrongJson = await cli(['--json', 'doc', 'import', session.code, input, '--host-key', 'x'.repeat(32)]);
    expect(JSON.parse(wrongJson.stdout)).toMatchObject({ event: 'error', code: 'HOST_KEY_WRONG' });
    const none = await cli(['doc', 'import', session.code, input]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--host-key');
    const now = await cliBytes(['doc', 'export', session.code]);
    expect(now.stdout.toString('utf8')).toBe(PLAN);
  });

  it('says which invite code is unknown and which document is missing (exit 4)', async () => {
    const code = await cli(['doc', 'export', '000-000-001']);
    expect(code.code).toBe(4);
    expect(code.stderr).toContain('000-000-001');
    const missing = await cli(['--json', 'doc', 'export', session.code, '--name', 'summary']);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout)).toMatchObject({ event: 'error', code: 'DOC_NOT_FOUND' });
  });

  it('refuses a file that is not UTF-8 (GBK) with the offset, exit 2, in Chinese too', async () => {
    const gbk = write('gbk.md', Buffer.concat([Buffer.from('# ', 'utf8'), Buffer.from([0xbd, 0xcc, 0xb0, 0xb8])]));
    const refused = await cli(['doc', 'import', session.code, gbk, '--host-key', session.hostKey]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not UTF-8 text (invalid byte at offset 2)');
    const zh = await cli(['--lang', 'zh', '--json', 'doc', 'import', session.code, gbk, '--host-key', session.hostKey]);
    expect(zh.code).toBe(2);
    expect(JSON.parse(zh.stdout)).toMatchObject({ event: 'error', code: 'DOC_NOT_UTF8', message: expect.stringContaining('不是 UTF-8 文本') });
    const badName = await cli(['doc', 'export', session.code, '--name', 'Plan!']);
    expect(badName.code).toBe(2);
  });
});
