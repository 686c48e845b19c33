// Shared documents across a cascade on loopback: people at a school relay and at the county relay edit the same
// document (the school keeps a copy synced over its one upstream connection); when the county relay restarts, what
// was written at the school meanwhile reaches the county once the link is back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRelay } from '../../src/server/relay-server.js';
import { tempDir } from '../helpers/cli.js';
import { DocClient, relayText } from '../helpers/doc-client.js';
import { createSession, relayFixture, startTestRelay, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

/** How long the school relay may take to get its link back after the county restarts. */
const RECONNECT_DEADLINE_MS = 30_000;

async function schoolRelay(county: TestRelay): Promise<TestRelay> {
  const dataDir = tempDir();
  const running = await startRelay({ dataDir, port: 0, bind: '127.0.0.1', upstream: { url: county.running.url, ca: county.ca, name: '三小中继', backoffMs: [200, 1000] } });
  cleanups.push(() => running.close());
  return { running, dataDir, ca: readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'), token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() };
}

async function editor(r: TestRelay, code: string, name: string, listed = false): Promise<DocClient> {
  const c = await DocClient.connect({ url: r.running.url, ca: r.ca, code, name, listed });
  cleanups.push(() => c.close());
  return c;
}

const cursorNames = (c: DocClient) => [...c.replica.awareness.getStates().values()].map((st) => (st as { user?: { name: string } }).user?.name).filter(Boolean);

describe('shared documents across a school relay', () => {
  it('lets people at the school and at the county edit one document and converge', async () => {
    const county = await relay();
    const school = await schoolRelay(county);
    const s = await createSession(county, { title: '县级集体备课', kind: 'prep' });
    const atCounty = await editor(county, s.code, '王老师');
    const atSchool = await editor(school, s.code, '李老师', true);

    atCounty.replica.text.insert(0, '县里写的：教学目标\n');
    await atSchool.replica.textWhere((t) => t === '县里写的：教学目标\n');
    atSchool.replica.text.insert(atSchool.replica.text.length, '学校写的：重难点\n');
    await atCounty.replica.textWhere((t) => t.endsWith('学校写的：重难点\n'));
    // At the same time, from both ends.
    atCounty.replica.text.insert(0, '【县】');
    atSchool.replica.text.insert(0, '【校】');
    const both = (t: string) => t.includes('【县】') && t.includes('【校】');
    await atCounty.replica.textWhere(both);
    await atSchool.replica.textWhere(both);
    expect(atSchool.text).toBe(atCounty.text);
    await until(() => relayText(county, s.id) === atCounty.text && relayText(school, s.id) === atCounty.text, 'both relays’ copies');
    // Cursors cross the link both ways, with the person's name.
    await until(() => cursorNames(atCounty).includes('李老师') && cursorNames(atSchool).includes('王老师'), 'cursors across the link');
    // An import at the school cuts its labelled revision at the county, which keeps the history; asked from the
    // school, the history and a past text come from there.
    atSchool.replica.replaceText('导入的教案\n', { label: 'import' });
    await atCounty.replica.textWhere((t) => t === '导入的教案\n');
    const revisions = await atSchool.replica.history();
    // Since the last revision both edited: the county's teacher, and the school (through its relay's one connection).
    expect(revisions.at(-1)).toMatchObject({ label: 'import', chars: '导入的教案\n'.length, by: ['三小中继', '王老师'] });
    expect(await atSchool.replica.textAt(revisions.at(-1)!.rev)).toBe('导入的教案\n');
    expect(await atCounty.replica.history()).toEqual(revisions);
    // The school's list is the county's.
    await until(() => atSchool.received.some((m) => m.type === 'docList' && m.docs.some((d) => d.name === 'plan')), 'the county’s list at the school');
  });

  it('brings edits made at the school while the county relay restarts to the county once the link is back', async () => {
    const countyDir = tempDir();
    let county = await startTestRelay(countyDir);
    const port = county.running.port;
    cleanups.push(() => county.running.close());
    const school = await schoolRelay(county);
    const s = await createSession(county, { title: '县级集体备课', kind: 'prep' });
    const first = await editor(county, s.code, '王老师');
    const atSchool = await editor(school, s.code, '李老师');
    const neighbour = await editor(school, s.code, '陈老师');
    first.replica.text.insert(0, '一、导入\n');
    await atSchool.replica.textWhere((t) => t === '一、导入\n');
    first.close();

    await county.running.close();
    await until(() => school.running.upstream!.links()[0]?.reconnects === 0 && school.running.relay.sessions.get(s.id)?.stateMessage().upstream === 'reconnecting', 'the school to notice');
    // Offline from the county, the school goes on: its own people still see each other's edits.
    atSchool.replica.text.insert(atSchool.replica.text.length, '二、新授（县中继重启时写的）\n');
    await neighbour.replica.textWhere((t) => t.includes('二、新授'));

    county = await startRelay({ dataDir: countyDir, port, bind: '127.0.0.1' }).then((running) => ({ ...county, running }));
    await until(() => (school.running.upstream!.links()[0]?.reconnects ?? 0) >= 1, 'the link back', RECONNECT_DEADLINE_MS);
    const later = await editor(county, s.code, '赵老师');
    const merged = await later.replica.textWhere((t) => t === '一、导入\n二、新授（县中继重启时写的）\n');
    expect(merged).toBe(atSchool.text);
    // And the link carries new edits again, county → school.
    later.replica.text.insert(0, '# 标题\n');
    await atSchool.replica.textWhere((t) => t.startsWith('# 标题\n'));
    await neighbour.replica.textWhere((t) => t.startsWith('# 标题\n'));
  });
});
