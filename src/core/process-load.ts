// This process's load between two looks: CPU (% of one core), resident memory and event-loop lag (p99), for
// the status dashboards. Each caller keeps its own ProcessLoad so one reader does not reset another's window.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoadFigures {
  readonly cpuPercent: number;
  readonly rssMb: number;
  readonly eventLoopLagMs: number;
}

export class ProcessLoad {
  readonly #loop: IntervalHistogram;
  #cpu = process.cpuUsage();
  #at = performance.now();
  #closed = false;

  constructor() {
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
  }

  /** Figures since the previous call (or since construction). */
  sample(): LoadFigures {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#cpu);
    this.#cpu = process.cpuUsage();
    const wallMs = Math.max(1, now - this.#at);
    this.#at = now;
    const lag = this.#loop.count > 0 ? this.#loop.percentile(99) / 1e6 : 0;
    this.#loop.reset();
    return {
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
      rssMb: Math.round(process.memoryUsage.rss() / 1e5) / 10,
      eventLoopLagMs: Math.round(lag * 10) / 10,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#loop.disable();
  }
}
