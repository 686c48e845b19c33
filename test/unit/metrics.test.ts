// Metrics render as Prometheus text exposition 0.0.4 that a scraper can parse line by line.
import { describe, expect, it } from 'vitest';
import { createRelayMetrics, escapeLabelValue, MetricsRegistry, type MetricsSource } from '../../src/server/metrics.js';
import { RelayObserver } from '../../src/relay/observer.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** A strict line-by-line reader of the text format: every line must be HELP, TYPE or a sample. */
function parse(text: string): Exposition {
  expect(text.endsWith('\n')).toBe(true);
  const out: Exposition = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      out.help.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (m) {
      expect(out.type.has(m[1]!), `TYPE once for ${m[1]}`).toBe(false);
      out.type.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$/.exec(line);
    expect(m, `sample line: ${JSON.stringify(line)}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = unescape(l[2]!);
    expect(out.type.has(m![1]!), `TYPE before samples of ${m![1]}`).toBe(true);
    const value = m![3] === '+Inf' ? Infinity : m![3] === '-Inf' ? -Infinity : Number(m![3]);
    expect(m![3] === 'NaN' || !Number.isNaN(value)).toBe(true);
    out.samples.push({ name: m![1]!, labels, value });
  }
  return out;
}

const value = (e: Exposition, name: string, labels: Record<string, string> = {}) =>
  e.samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

describe('a metrics registry', () => {
  it('renders counters and gauges with HELP, TYPE and one line per series', () => {
    const r = new MetricsRegistry();
    const c = r.counter<{ direction: 'in' | 'out' }>('x_packets_total', 'packets', { labelled: true });
    const g = r.gauge('x_peers', 'peers');
    c.inc({ direction: 'in' });
    c.inc({ direction: 'in' }, 4);
    c.inc({ direction: 'out' }, 2);
    g.set(3);
    g.inc();
    g.dec(2);
    const e = parse(r.render());
    expect(e.type.get('x_packets_total')).toBe('counter');
    expect(e.type.get('x_peers')).toBe('gauge');
    expect(e.help.get('x_peers')).toBe('peers');
    expect(value(e, 'x_packets_total', { direction: 'in' })).toBe(5);
    expect(value(e, 'x_packets_total', { direction: 'out' })).toBe(2);
    expect(value(e, 'x_peers')).toBe(2);
    expect(e.samples.filter((s) => s.name === 'x_packets_total')).toHaveLength(2);
  });

  it('shows an unlabelled metric as 0 before its first update, a labelled one not at all', () => {
    const r = new MetricsRegistry();
    r.counter('a_total', 'a');
    r.counter<{ k: string }>('b_total', 'b', { labelled: true });
    const e = parse(r.render());
    expect(value(e, 'a_total')).toBe(0);
    expect(e.samples.some((s) => s.name === 'b_total')).toBe(false);
    expect(e.type.get('b_total')).toBe('counter');
  });

  it('escapes label values and help texts', () => {
    const r = new MetricsRegistry();
    const c = r.counter<{ venue: string }>('c_total', 'line one\nback\\slash', { labelled: true });
    const nasty = 'A "quoted" \\ venue\n第二行';
    c.inc({ venue: nasty });
    const text = r.render();
    expect(text).toContain('# HELP c_total line one\\nback\\\\slash\n');
    expect(text).toContain(`c_total{venue="${escapeLabelValue(nasty)}"} 1\n`);
    expect(escapeLabelValue(nasty)).toBe('A \\"quoted\\" \\\\ venue\\n第二行');
    const e = parse(text);
    expect(e.samples[0]!.labels.venue).toBe(nasty);
  });

  it('reads collected values at scrape time', () => {
    const r = new MetricsRegistry();
    let n = 1;
    r.gauge('live', 'live things', () => n);
    r.gauge<{ kind: string }>('by_kind', 'by kind', () => [
      { labels: { kind: 'a' }, value: 1 },
      { labels: { kind: 'b' }, value: NaN },
    ]);
    expect(value(parse(r.render()), 'live')).toBe(1);
    n = 7;
    const e = parse(r.render());
    expect(value(e, 'live')).toBe(7);
    expect(r.render()).toContain('by_kind{kind="b"} NaN\n');
  });

  it('refuses a counter going down, a name twice and invalid names', () => {
    const r = new MetricsRegistry();
    const c = r.counter('ok_total', 'ok');
    expect(() => c.inc(-1)).toThrow(RangeError);
    expect(() => r.counter('ok_total', 'again')).toThrow(/already registered/);
    expect(() => r.gauge('bad-name', 'x')).toThrow(/invalid metric name/);
    const l = r.counter<Record<string, string>>('l_total', 'l', { labelled: true });
    expect(() => l.inc({ 'bad-label': 'x' })).toThrow(/invalid label name/);
  });
});

describe('the relay metrics', () => {
  function fakeRelay(): MetricsSource & { emit: RelayObserver; sessions: Map<string, unknown>; peerCount: number } {
    const observer = new RelayObserver();
    return { sessions: new Map<string, unknown>(), peerCount: 0, observer, emit: observer };
  }

  it('registers every name of docs/protocol.md and the process basics', () => {
    const m = createRelayMetrics();
    try {
      const e = parse(m.render());
      for (const name of [
        'jiaoyan_sessions',
        'jiaoyan_peers',
        'jiaoyan_rtp_packets_total',
        'jiaoyan_rtp_bytes_total',
        'jiaoyan_rtp_packets_lost_total',
        'jiaoyan_nacks_total',
        'jiaoyan_nack_retransmits_total',
        'jiaoyan_plis_total',
        'jiaoyan_event_loop_lag_seconds',
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
      ]) {
        expect(e.type.has(name), name).toBe(true);
        expect(e.help.get(name), name).toBeTruthy();
      }
      expect(value(e, 'jiaoyan_rtp_packets_total', { direction: 'in' })).toBe(0);
      expect(value(e, 'jiaoyan_plis_total', { direction: 'up' })).toBe(0);
      expect(value(e, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(value(e, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(value(e, 'jiaoyan_event_loop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(e.type.get('process_cpu_seconds_total')).toBe('counter');
    } finally {
      m.close();
    }
  });

  it('counts what the relay observes and reads its sessions and peers when scraped', () => {
    const m = createRelayMetrics();
    const relay = fakeRelay();
    m.bindRelay(relay);
    Object.assign(relay.emit.traffic, { inPackets: 2, inBytes: 2000, outPackets: 1, outBytes: 1000 });
    relay.emit.safeEmit('nack', 3, 2);
    relay.emit.safeEmit('pli', 'up');
    relay.emit.safeEmit('pli', 'down');
    relay.emit.safeEmit('pli', 'down');
    relay.sessions.set('s1', {});
    relay.peerCount = 4;
    m.nacks.inc(); // the relay may also count directly through the handles
    const e = parse(m.render());
    expect(value(e, 'jiaoyan_rtp_packets_total', { direction: 'in' })).toBe(2);
    expect(value(e, 'jiaoyan_rtp_bytes_total', { direction: 'in' })).toBe(2000);
    expect(value(e, 'jiaoyan_rtp_packets_total', { direction: 'out' })).toBe(1);
    expect(value(e, 'jiaoyan_rtp_bytes_total', { direction: 'out' })).toBe(1000);
    expect(value(e, 'jiaoyan_rtp_packets_lost_total')).toBe(3);
    expect(value(e, 'jiaoyan_nack_retransmits_total')).toBe(2);
    expect(value(e, 'jiaoyan_nacks_total')).toBe(2);
    expect(value(e, 'jiaoyan_plis_total', { direction: 'up' })).toBe(1);
    expect(value(e, 'jiaoyan_plis_total', { direction: 'down' })).toBe(2);
    expect(value(e, 'jiaoyan_sessions')).toBe(1);
    expect(value(e, 'jiaoyan_peers')).toBe(4);

    m.close();
    m.close();
    relay.emit.traffic.inPackets = 5;
    relay.emit.safeEmit('nack', 9, 9);
    const after = parse(m.render());
    expect(value(after, 'jiaoyan_rtp_packets_total', { direction: 'in' })).toBe(2); // unbound: the last figures stay
    expect(value(after, 'jiaoyan_nacks_total')).toBe(2);
  });
});
