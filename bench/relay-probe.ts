// What the relay benchmark reads: a process's CPU time and RSS from /proc, the machine's busy time from
// /proc/stat, the relay's own counters from /metrics, and percentiles.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds of a process so far (/proc/<pid>/stat utime + stime). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) " the fields start at #3 (state); utime is #14 and stime #15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in MB (/proc/<pid>/status VmRSS). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Busy and total CPU seconds of the whole machine, summed over cores (/proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/** The relay's Prometheus text as `name{labels}` → value. */
export function scrapeMetrics(url: string, ca: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/metrics', url), { ca }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => {
        const out = new Map<string, number>();
        for (const line of text.split('\n')) {
          const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
          if (m) out.set(m[1]!, Number(m[2]));
        }
        resolve(out);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The p-th percentile (0–100) of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
