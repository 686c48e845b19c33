// npm run bench:cascade — what a school's WAN link carries with and without a school relay. Two network namespaces
// (root) joined by a veth pair: the county relay and a publisher (a 640×360 lesson clip at ~800 kbit/s, looping)
// on one side, the school's classrooms on the other. For N = 1, 10, 30 classrooms: WAN bytes per minute when every
// classroom watches the county directly, then through a school relay (`relay start --upstream`); the ratio is the
// headline figure. Then audio under impairment: the WAN shaped to 150 kbit/s (tbf) with 5 % random loss (iptables),
// one classroom through the school relay: audio packets received per second against the publisher's 50.
// Flags: --seconds S (window per row, default 20), --n 1,10,30. Prints a table, asserts nothing.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BIN } from '../test/helpers/cli.js';
import { cached } from '../test/helpers/media.js';
import { firstLine, stop, Wan, type RelayProcess, type ViewerGroup } from '../test/helpers/wan.js';

const { values: flags } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, n: { type: 'string', default: '1,10,30' } } });
const SECONDS = Number(flags.seconds);
const SWEEP = flags.n.split(',').map(Number);
const PER_PROCESS = 10;

const until = async (check: () => boolean, what: string, ms: number) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

function clip(): Promise<string> {
  return cached('cascade-lesson', '.mp4', ['-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30:d=20', '-f', 'lavfi', '-i', 'sine=f=300:r=48000:d=20',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '800k', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
}

/** N classrooms on `relay`, in processes of up to ten viewers each. */
async function classrooms(wan: Wan, relay: RelayProcess, code: string, n: number): Promise<ViewerGroup[]> {
  const groups: ViewerGroup[] = [];
  for (let left = n; left > 0; left -= PER_PROCESS) groups.push(await wan.viewers('school', relay, code, Math.min(PER_PROCESS, left)));
  const all = () => groups.flatMap((g) => g.counts);
  await until(() => all().length === n && all().every((c) => c.video > 30 && c.audio > 30), `${n} classrooms receiving`, 60_000);
  return groups;
}

/** WAN bytes per minute over the window, and audio packets per second at the first classroom. */
async function measure(wan: Wan, groups: ViewerGroup[]): Promise<{ perMinute: number; audioPerSecond: number }> {
  const first = () => groups[0]!.counts[0]!.audio;
  const [b0, a0, t0] = [wan.bytesToSchool(), first(), Date.now()];
  await until(() => Date.now() - t0 >= SECONDS * 1000, 'the window', SECONDS * 1000 + 5000);
  const seconds = (Date.now() - t0) / 1000;
  return { perMinute: ((wan.bytesToSchool() - b0) / seconds) * 60, audioPerSecond: (first() - a0) / seconds };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

async function main(): Promise<void> {
  const wan = Wan.create();
  try {
    const county = await wan.relay('county');
    const s = await wan.cli('county', ['--json', 'session', 'start', '--title', 'bench', '--kind', 'lesson'], county.dataDir);
    const code = String(s.code);
    const publisher = wan.spawnNode('county', [BIN, '--json', 'join', code, '--relay', county.url, '--ca', county.caFile, '--host-key', String(s.hostKey),
      '--name', 'publisher', '--venue', 'county', '--publish', await clip(), '--loop']);
    await firstLine(publisher, (l) => l.includes('"joined"'));
    const school = await wan.relay('school', ['--upstream', county.url, '--upstream-ca', county.caFile]);

    console.log(`WAN county → school, ${SECONDS} s window per row (MB per minute)`);
    console.log('  classrooms   direct MB/min   via school relay MB/min   ratio');
    for (const n of SWEEP) {
      const direct = await classrooms(wan, county, code, n);
      const d = await measure(wan, direct);
      for (const g of direct) await stop(g.child);
      const local = await classrooms(wan, school, code, n);
      const v = await measure(wan, local);
      for (const g of local) await stop(g.child);
      console.log(`  ${String(n).padStart(10)}   ${mb(d.perMinute).padStart(13)}   ${mb(v.perMinute).padStart(23)}   ${(d.perMinute / v.perMinute).toFixed(1).padStart(5)}×`);
    }

    // Impairment on the county's end of the WAN (towards the school): 150 kbit/s, 5 % loss.
    const inCounty = (...args: string[]) => execFileSync('ip', ['netns', 'exec', wan.ns.county, ...args], { stdio: 'ignore' });
    inCounty('tc', 'qdisc', 'add', 'dev', wan.dev.county, 'root', 'tbf', 'rate', '150kbit', 'burst', '4kb', 'latency', '300ms');
    inCounty('iptables', '-A', 'OUTPUT', '-o', wan.dev.county, '-m', 'statistic', '--mode', 'random', '--probability', '0.05', '-j', 'DROP');
    const one = await wan.viewers('school', school, code, 1);
    await until(() => (one.counts[0]?.audio ?? 0) > 20, 'audio under impairment', 60_000);
    const m = await measure(wan, [one]);
    console.log(`\nWAN shaped to 150 kbit/s with 5 % loss, one classroom through the school relay:`);
    console.log(`  audio ${m.audioPerSecond.toFixed(1)} packets/s of 50 sent (${((m.audioPerSecond / 50) * 100).toFixed(1)} %), WAN ${mb(m.perMinute)} MB/min`);
  } finally {
    await wan.close();
  }
}

await main();
