// `jiaoyan notice add | list | get` as a script runs them (real `jiaoyan` processes against a relay): the round trip
// is byte for byte, JSON with --json, and refusals end with the documented exit codes.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import type { VoiceNotice } from '../../src/signaling/protocol.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { opusOgg } from '../helpers/notices.js';
import { createSession, relayFixture, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

const cli = (r: TestRelay, args: string[]) => runCli([...args, '--ca', joinPath(r.dataDir, 'tls', 'ca.pem')], { env: { JIAOYAN_HOME: r.dataDir } });

describe('jiaoyan notice', () => {
  it('adds a voice notice, lists it and gets it back byte for byte', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '语文组教研', kind: 'prep' });
    const listener = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name: '李老师', venue: '东山小学', ca: r.ca });
    cleanups.push(() => listener.close());
    const heard = new Promise<VoiceNotice>((resolve) => listener.once('notice', resolve));
    const file = await opusOgg(4);

    const added = await cli(r, ['--json', 'notice', 'add', s.url, file, '--host-key', s.hostKey, '--name', '张老师', '--venue', '实验小学']);
    expect(added.code, added.stderr).toBe(0);
    const notice = JSON.parse(added.stdout) as VoiceNotice;
    expect(notice).toMatchObject({ by: '张老师', venue: '实验小学', mime: 'audio/ogg', bytes: readFileSync(file).length });
    expect(await heard).toEqual(notice);

    const listed = await cli(r, ['--json', 'notice', 'list', s.code]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ notices: [notice] });
    const human = await cli(r, ['notice', 'list', s.code]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(notice.id);
    expect(human.stdout).toContain('张老师（实验小学）');

    const out = joinPath(tempDir(), '通知.ogg');
    const got = await cli(r, ['--json', 'notice', 'get', s.code, notice.id, '-o', out]);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ id: notice.id, output: out, bytes: notice.bytes });
    expect(readFileSync(out).equals(readFileSync(file))).toBe(true);
  });

  it('ends with exit 4 for a wrong code, a wrong host key or an unknown notice, 2 for a bad file or usage', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '数学组教研', kind: 'prep' });
    const file = await opusOgg(2);

    const wrongCode = await cli(r, ['--json', 'notice', 'add', '000-000-001', file, '--host-key', s.hostKey]);
    expect(wrongCode.code).toBe(4);
    expect(JSON.parse(wrongCode.stdout)).toMatchObject({ event: 'error', code: 'CODE_UNKNOWN' });
    const wrongKey = await cli(r, ['--json', 'notice', 'add', s.code, file, '--host-key', randomBytes(24).toString('base64url')]);
    expect(wrongKey.code).toBe(4);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ event: 'error', code: 'HOST_KEY_WRONG' });
    const unknown = await cli(r, ['--json', 'notice', 'get', s.code, '0123456789abcdef', '-o', joinPath(tempDir(), 'x.ogg')]);
    expect(unknown.code).toBe(4);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ event: 'error', code: 'NOTICE_UNKNOWN' });

    const noKey = await cli(r, ['notice', 'add', s.code, file]);
    expect(noKey.code).toBe(2);
    const tooLong = await cli(r, ['--json', 'notice', 'add', s.code, await opusOgg(61), '--host-key', s.hostKey]);
    expect(tooLong.code).toBe(2);
    expect(JSON.parse(tooLong.stdout)).toMatchObject({ event: 'error', code: 'NOTICE_TOO_LONG' });
    const big = joinPath(tempDir(), 'big.ogg');
    writeFileSync(big, randomBytes(2 * 1024 * 1024 + 1));
    const tooLarge = await cli(r, ['--json', 'notice', 'add', s.code, big, '--host-key', s.hostKey]);
    expect(tooLarge.code).toBe(2);
    expect(JSON.parse(tooLarge.stdout)).toMatchObject({ event: 'error', code: 'NOTICE_TOO_LARGE' });
    const badAction = await cli(r, ['notice', 'play', s.code]);
    expect(badAction.code).toBe(2);
  });
});
