// `jiaoyan join --record` across a subscribing-connection restart: the recording follows the new connection's main
// tracks into the same file, which then holds media from before and after the restart, decodes without errors, and
// whose video times only rise (the gap shows as the time that passed, not as a jump back or a reset).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MainVenueRecording } from '../../src/client/main-recording.js';
import { ParticipantClient } from '../../src/client/participant-client.js';
import { locate } from '../../src/media/locate.js';
import { tempDir } from '../helpers/cli.js';
import { createSession, publishingHost, relayFixture, until } from '../helpers/relay.js';
import { decodeErrors } from '../helpers/media.js';

const { cleanups, relay } = relayFixture();

/** Video packets to record on each connection: about 1.5 s of the clip's 30 fps × several packets per frame. */
const PACKETS_PER_CONNECTION = 150;

function videoTimes(path: string): number[] {
  const r = spawnSync(locate('ffprobe').path, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').map(Number);
}

describe('join --record and a subscriber restart', () => {
  it('keeps recording into the same file on the new connection', async () => {
    const r = await relay();
    const s = await createSession(r);
    await publishingHost(r, s, cleanups);
    const viewer = await ParticipantClient.connect({ relay: r.running.url, code: s.code, name: '王老师', venue: '五小', ca: r.ca, receiveVideo: 'vp8' });
    cleanups.push(() => viewer.close());
    const path = join(tempDir(), 'main.webm');
    const resumed: number[] = [];
    const recording = new MainVenueRecording(path, { requestKeyframes: () => viewer.requestKeyframes(), onResumed: (c) => resumed.push(c) });
    cleanups.push(() => recording.stop());
    viewer.eachTrack((t) => recording.onTrack(t));

    await until(() => recording.written.video > PACKETS_PER_CONNECTION, 'video recorded on the first connection');
    const before = recording.written;
    // The client asks for a new subscribing connection (what it does when its side fails): the relay replaces it.
    viewer.send({ type: 'resubscribe' });
    await until(() => resumed.includes(2), 'the recording following connection 2');
    await until(() => recording.written.video > before.video + PACKETS_PER_CONNECTION, 'video recorded on the second connection');
    expect(recording.written.audio).toBeGreaterThan(before.audio);
    await recording.stop();

    expect(decodeErrors(path)).toEqual([]);
    const times = videoTimes(path);
    expect(times.length).toBeGreaterThan(60);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    // Media from both connections: the file spans more than either alone.
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(2);
  });
});
