// Cascading over a real (virtual) WAN: the county relay and its publisher in one network namespace, the school
// relay and its classrooms in another, a veth pair between them. With a school relay, ten classrooms cost the WAN
// what one classroom watching the county directly costs; a 10 s cut of the WAN and its return bring the picture
// back to every classroom without anyone rejoining.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClip, until } from '../helpers/relay.js';
import { BIN } from '../helpers/cli.js';
import { firstLine, stop, Wan, type RelayProcess, type ViewerGroup } from '../helpers/wan.js';

let wan: Wan;
let county: RelayProcess;
let code: string;

beforeAll(async () => {
  wan = Wan.create();
  county = await wan.relay('county');
  const s = await wan.cli('county', ['--json', 'session', 'start', '--title', '县级公开课', '--kind', 'lesson'], county.dataDir);
  code = String(s.code);
  const clip = await testClip();
  const publisher = wan.spawnNode('county', [BIN, '--json', 'join', code, '--relay', county.url, '--ca', county.caFile, '--host-key', String(s.hostKey),
    '--name', '王老师', '--venue', '县教研室', '--publish', clip, '--loop']);
  await firstLine(publisher, (l) => l.includes('"joined"'));
}, 60_000);

afterAll(async () => {
  await wan?.close();
});

const totals = (g: ViewerGroup) => g.counts.reduce((s, c) => ({ audio: s.audio + c.audio, video: s.video + c.video }), { audio: 0, video: 0 });
const everyoneGets = (g: ViewerGroup, base: ViewerGroup['counts'], more: number) =>
  g.counts.length > 0 && g.counts.every((c, i) => c.video > (base[i]?.video ?? 0) + more && c.audio > (base[i]?.audio ?? 0) + more);

/**
 * WAN bytes towards the school per byte the county relay received from the publisher, while `seconds` of the
 * publisher's sound reach the group's first viewer. (The clip's bitrate varies from second to second; per byte
 * published, one copy costs the same whatever the window.)
 */
async function wanBytesPerPublishedByte(g: ViewerGroup, seconds: number): Promise<{ ratio: number; wan: number; published: number }> {
  const start = g.counts[0]!.audio;
  const [wan0, in0] = [wan.bytesToSchool(), await wan.rtpBytesIn('county', county)];
  await until(() => g.counts[0]!.audio >= start + seconds * 50, `${seconds} s of media`, seconds * 1000 + 20_000);
  const [wan1, in1] = [wan.bytesToSchool(), await wan.rtpBytesIn('county', county)];
  return { ratio: (wan1 - wan0) / (in1 - in0), wan: wan1 - wan0, published: in1 - in0 };
}

describe('a school relay on a WAN', () => {
  let school: RelayProcess;
  let classrooms: ViewerGroup;

  it('carries one copy over the WAN for ten classrooms (within 10 % of one classroom watching directly)', async () => {
    const direct = await wan.viewers('school', county, code, 1);
    await until(() => everyoneGets(direct, [], 50), 'the direct viewer receives media', 30_000);
    const one = await wanBytesPerPublishedByte(direct, 8);
    await stop(direct.child);

    school = await wan.relay('school', ['--upstream', county.url, '--upstream-ca', county.caFile]);
    classrooms = await wan.viewers('school', school, code, 10);
    await until(() => everyoneGets(classrooms, [], 50), 'ten classrooms receive media', 30_000);
    const ten = await wanBytesPerPublishedByte(classrooms, 8);
    console.log(`WAN bytes per published byte: one classroom direct ${one.ratio.toFixed(3)} (${one.wan} B), ten classrooms through the school relay ${ten.ratio.toFixed(3)} (${ten.wan} B)`);
    expect(Math.abs(ten.ratio - one.ratio) / one.ratio).toBeLessThan(0.1);
  }, 120_000);

  it('brings the picture back to every classroom after a 10 s cut of the WAN, without rejoining', async () => {
    wan.setLink(false);
    const cutAt = Date.now();
    // The cut itself lasts 10 s (the scenario, not a wait for something): the school relay notices within its
    // heartbeat and keeps retrying with backoff meanwhile; after 3 s nothing arrives any more…
    await until(() => Date.now() - cutAt >= 3000, 'the cut has settled');
    const during = totals(classrooms);
    await until(() => Date.now() - cutAt >= 10_000, 'a 10 s cut');
    const atRestore = classrooms.counts.map((c) => ({ ...c }));
    expect(totals(classrooms).video - during.video).toBe(0);
    wan.setLink(true);
    // …and comes back for every classroom on the same connections (the viewers' process never rejoins).
    await until(() => everyoneGets(classrooms, atRestore, 50), 'media again in every classroom', 45_000);
    expect(classrooms.child.exitCode).toBeNull();
  }, 90_000);
});
