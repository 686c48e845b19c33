// The real `jiaoyan status` on a real terminal: tmux runs it against a relay with two publishing venues; the test
// reads the screen (capture-pane), presses keys (send-keys), and checks that the push reached the relay.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { TaggedPublisher } from '../helpers/tagged-publisher.js';
import { createSession, relayFixture, until, type TestRelay } from '../helpers/relay.js';

const { cleanups, relay } = relayFixture();

/** One tmux server of our own (its own socket), killed after the test. */
function tmux() {
  const socket = `jiaoyan-${randomBytes(4).toString('hex')}`;
  // Not CI's environment: ink draws only the last frame when it thinks it runs in CI (is-in-ci), and a person at
  // a terminal is what this test plays.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION'));
  const run = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env });
  cleanups.push(() => {
    try {
      run('kill-server');
    } catch {
      // already gone with its last window
    }
  });
  return {
    start: (cmd: string[], env: Record<string, string>) =>
      run('new-session', '-d', '-x', '100', '-y', '45', '-s', 'status', '-e', `LANG=${env.LANG}`, '-e', `JIAOYAN_HOME=${env.JIAOYAN_HOME}`, ...cmd),
    screen: () => run('capture-pane', '-p', '-t', 'status'),
    keys: (...keys: string[]) => run('send-keys', '-t', 'status', ...keys),
    alive: () => {
      try {
        run('has-session', '-t', 'status');
        return true;
      } catch {
        return false;
      }
    },
  };
}

async function join(r: TestRelay, code: string, name: string, venue: string, hostKey?: string) {
  const c = await ParticipantClient.connect({ relay: r.running.url, code, name, venue, ca: r.ca, ...(hostKey ? { hostKey } : {}) });
  cleanups.push(() => c.close());
  return c;
}

describe('jiaoyan status in a terminal', () => {
  it('shows the session, pushes the venue picked with v ↓ Enter, and quits on q', async () => {
    const r = await relay();
    const s = await createSession(r, { title: 'Showcase lesson', kind: 'showcase', venues: ['Centre:opening', 'School 3:lesson 1'] });
    const host = await join(r, s.code, 'Wang', 'Centre', s.hostKey);
    const speaker = await join(r, s.code, '李老师', 'School 3');
    await host.request({ type: 'grantSeat', peerId: speaker.joined.peerId });
    for (const [c, v] of [[host, 1], [speaker, 3]] as const) {
      const p = await TaggedPublisher.start(c, v);
      cleanups.push(() => p.stop());
    }
    await host.stateWhere((st) => st.mainVenue === 'Centre');

    const term = tmux();
    term.start([process.execPath, BIN, 'status', s.url, '--host-key', s.hostKey, '--ca', joinPath(r.dataDir, 'tls', 'ca.pem')], { LANG: 'en_US.UTF-8', JIAOYAN_HOME: r.dataDir });
    await until(() => term.screen().includes('Showcase lesson') && term.screen().includes('Main venue: Centre'), 'the dashboard on screen');
    const screen = term.screen();
    expect(screen).toContain('李老师');
    expect(screen).toMatch(/opening/);

    term.keys('v');
    await until(() => term.screen().includes('Push which venue to everyone?'), 'the venue picker');
    term.keys('Down');
    term.keys('Enter');
    await host.stateWhere((st) => st.mainVenue === 'School 3' && st.pendingVenue === null);
    await until(() => term.screen().includes('Main venue: School 3'), 'the new main venue on screen');

    term.keys('q');
    await until(() => !term.alive(), 'the dashboard to quit');
  });

  it('relay start draws its dashboard on a terminal, logs who joins, and stops on q', async () => {
    const dataDir = tempDir();
    const term = tmux();
    term.start([process.execPath, BIN, 'relay', 'start', '--port', '0', '--bind', '127.0.0.1'], { LANG: 'en_US.UTF-8', JIAOYAN_HOME: dataDir });
    await until(() => existsSync(joinPath(dataDir, 'relay.json')) && term.screen().includes('jiaoyan relay'), 'the relay dashboard');
    const url = (JSON.parse(readFileSync(joinPath(dataDir, 'relay.json'), 'utf8')) as { url: string }).url;
    const r: TestRelay = { running: { url } as TestRelay['running'], dataDir, ca: readFileSync(joinPath(dataDir, 'tls', 'ca.pem'), 'utf8'), token: readFileSync(joinPath(dataDir, 'admin-token'), 'utf8').trim() };
    const s = await createSession(r, { title: 'Morning meeting', kind: 'meeting' });
    await join(r, s.code, 'Zhao', 'School 5');
    await until(() => term.screen().includes('Morning meeting') && term.screen().includes('Zhao@School 5'), 'the session and the join on screen');
    term.keys('q');
    await until(() => !existsSync(joinPath(dataDir, 'relay.json')), 'the relay to stop');
  });
});
