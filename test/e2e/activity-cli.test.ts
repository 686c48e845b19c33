// The live-activity commands as a script would run them (real `jiaoyan` processes against a relay): chat,
// venue, seat and status --json, with their JSON and exit codes.
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { runCli } from '../helpers/cli.js';
import { TaggedPublisher } from '../helpers/tagged-publisher.js';
import { createSession, relayFixture, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

async function join(r: TestRelay, code: string, name: string, venue: string, hostKey?: string) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

const cli = (r: TestRelay, args: string[]) => runCli([...args, '--ca', joinPath(r.dataDir, 'tls', 'ca.pem')], { env: { JIAOYAN_HOME: r.dataDir } });
const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('live-activity commands', () => {
  it('posts and prints the discussion, NDJSON with --json', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '集体备课', kind: 'prep' });
    const listener = await join(r, s.code, '赵老师', '五小');
    const sent = await cli(r, ['--json', 'chat', s.url, '--send', '导入用时太长 <script>', '--name', '李老师', '--venue', '三小']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ event: 'sent' });
    await listener.chatHistory();
    expect(listener.chat.at(-1)).toMatchObject({ from: '李老师', venue: '三小', text: '导入用时太长 <script>' });
    const history = await cli(r, ['--json', 'chat', s.code]);
    expect(history.code).toBe(0);
    expect(lines(history.stdout)).toEqual([expect.objectContaining({ event: 'message', from: '李老师', venue: '三小', text: '导入用时太长 <script>', at: expect.any(String) })]);
    const tooLong = await cli(r, ['--json', 'chat', s.code, '--send', 'x'.repeat(501)]);
    expect(tooLong.code).toBe(4);
    expect(JSON.parse(tooLong.stdout)).toMatchObject({ event: 'error', code: 'CHAT_TOO_LONG' });
  });

  it('pushes the venue and grants a seat by name; refuses without or with a wrong host key', async () => {
    const r = await relay();
    const s = await createSession(r, { title: '展示课', kind: 'showcase', venues: ['教育中心:开场', '三小:第一节'] });
    const host = await join(r, s.code, '王主任', '教育中心', s.hostKey);
    const speaker = await join(r, s.code, '李老师', '三小');
    const granted = await cli(r, ['--json', 'seat', 'grant', s.code, '李老师@三小', '--host-key', s.hostKey]);
    expect(granted.code, granted.stderr).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ action: 'grant', peerId: speaker.joined.peerId, name: '李老师', venue: '三小' });
    for (const [c, v] of [[host, 1], [speaker, 3]] as const) {
      const p = await TaggedPublisher.start(c, v);
      cleanups.push(() => p.stop());
    }
    const next = await cli(r, ['--json', 'venue', 'next', s.code, '--host-key', s.hostKey]);
    expect(JSON.parse(next.stdout)).toMatchObject({ mainVenue: '教育中心', step: 0, label: '开场', switched: true });
    const pushed = await cli(r, ['--json', 'venue', 'push', s.code, '--to', '三小', '--host-key', s.hostKey]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ mainVenue: '三小', switched: true });

    const absent = await cli(r, ['--json', 'venue', 'push', s.code, '--to', '九小', '--host-key', s.hostKey]);
    expect(absent.code).toBe(4);
    expect(JSON.parse(absent.stdout)).toMatchObject({ code: 'VENUE_ABSENT' });
    const wrongKey = await cli(r, ['venue', 'push', s.code, '--to', '三小', '--host-key', 'x'.repeat(32)]);
    expect(wrongKey.code).toBe(4);
    expect(wrongKey.stderr).toContain('wrong host key');
    const noKey = await cli(r, ['venue', 'push', s.code, '--to', '三小']);
    expect(noKey.code).toBe(2);
    const nobody = await cli(r, ['seat', 'mute', s.code, '张三', '--host-key', s.hostKey]);
    expect(nobody.code).toBe(4);
    expect(nobody.stderr).toContain('no participant 张三');

    const status = await cli(r, ['--json', 'status', s.code, '--host-key', s.hostKey]);
    expect(status.code, status.stderr).toBe(0);
    const snap = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(snap).toMatchObject({ title: '展示课', kind: 'showcase', mainVenue: '三小', host: true, rundown: { current: 0 }, seats: { total: 4, taken: 1 } });
    expect((snap.participants as { name: string }[]).map((p) => p.name).sort()).toEqual(['李老师', '王主任']);
    expect(snap.relay).toMatchObject({ rssMb: expect.any(Number), cpuPercent: expect.any(Number) });
  });
});
