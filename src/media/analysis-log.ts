// Reading what measuring filters print on ffmpeg's stderr: `metadata=mode=print` / `ametadata=mode=print`
// frames, the ebur128 summary and silencedetect's silence_start / silence_end lines.

export interface TimedValue {
  /** Presentation time of the frame, seconds. */
  readonly t: number;
  readonly value: number;
}

export interface Ebur128Summary {
  /** Integrated loudness, LUFS (null when ffmpeg printed -inf or nothing). */
  integrated: number | null;
  /** Loudness range, LU. */
  range: number | null;
  /** True peak, dBTP. */
  truePeak: number | null;
  /** Sample peak, dBFS. */
  samplePeak: number | null;
}

export interface Silence {
  readonly start: number;
  /** Undefined when the file ended in silence and this ffmpeg printed no silence_end. */
  readonly end?: number;
}

const PREFIX = /^\[([^\]@]+?) @ (0x[0-9a-f]+|[0-9a-f]+)\]\s?(.*)$/i;
const FRAME = /^frame:\s*\d+\s+pts:\s*\S+\s+pts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?)/i;
const KEY_VALUE = /^([\w.]+)=(\S+)\s*$/;

/** A number as ffmpeg prints it ("-23.5", "-inf", "nan"); non-finite values become null. */
export function ffNumber(text: string): number | null {
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** Split "[Parsed_ametadata_4 @ 0x55d0] rest" into its filter context and the rest. */
export function splitContext(line: string): { context?: string; rest: string } {
  const m = PREFIX.exec(line);
  return m ? { context: `${m[1]} @ ${m[2]}`, rest: m[3] ?? '' } : { rest: line };
}

/**
 * Collects `key=value` lines printed by (a)metadata=mode=print, each with the time of the frame line that
 * preceded it from the same filter instance (audio and video graphs may interleave their lines).
 */
export class MetadataCollector {
  readonly values = new Map<string, TimedValue[]>();
  private readonly times = new Map<string, number>();

  constructor(private readonly keys: readonly string[]) {
    for (const k of keys) this.values.set(k, []);
  }

  onLine(line: string): void {
    const { context, rest } = splitContext(line);
    if (!context) return;
    const frame = FRAME.exec(rest);
    if (frame) {
      this.times.set(context, Number(frame[1]));
      return;
    }
    const kv = KEY_VALUE.exec(rest);
    if (!kv) return;
    const list = this.values.get(kv[1]!);
    const t = this.times.get(context);
    if (!list || t === undefined) return;
    const v = ffNumber(kv[2]!);
    // -inf (digital silence) is kept as a very low level; NaN lines carry nothing.
    if (v !== null) list.push({ t, value: v });
    else if (/^-inf$/i.test(kv[2]!)) list.push({ t, value: -Infinity });
  }

  get(key: string): TimedValue[] {
    return this.values.get(key) ?? [];
  }
}

/** Parses the summary ebur128 prints when its input ends (the lines after "Summary:"). */
export class Ebur128SummaryParser {
  readonly summary: Ebur128Summary = { integrated: null, range: null, truePeak: null, samplePeak: null };
  private inSummary = false;
  private section: 'integrated' | 'range' | 'sample' | 'true' | undefined;

  onLine(line: string): void {
    const { context, rest } = splitContext(line);
    if (context && /ebur128/i.test(context) && /Summary:/.test(rest)) {
      this.inSummary = true;
      this.section = undefined;
      return;
    }
    if (!this.inSummary) return;
    const text = rest.trim();
    if (/^Integrated loudness:/i.test(text)) this.section = 'integrated';
    else if (/^Loudness range:/i.test(text)) this.section = 'range';
    else if (/^Sample peak:/i.test(text)) this.section = 'sample';
    else if (/^True peak:/i.test(text)) this.section = 'true';
    const m = /^(I|LRA|Peak):\s+(\S+)/.exec(text);
    if (!m) return;
    const v = ffNumber(m[2]!);
    if (m[1] === 'I' && this.section === 'integrated') this.summary.integrated = v;
    else if (m[1] === 'LRA' && this.section === 'range') this.summary.range = v;
    else if (m[1] === 'Peak' && this.section === 'sample') this.summary.samplePeak = v;
    else if (m[1] === 'Peak' && this.section === 'true') this.summary.truePeak = v;
  }
}

/** Collects silencedetect's silence_start / silence_end pairs. */
export class SilenceCollector {
  readonly silences: Silence[] = [];
  private open: number | undefined;

  onLine(line: string): void {
    const start = /silence_start:\s*(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line);
    if (start) {
      if (this.open !== undefined) this.silences.push({ start: this.open });
      this.open = Math.max(0, Number(start[1]));
      return;
    }
    const end = /silence_end:\s*(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line);
    if (end) {
      const e = Number(end[1]);
      const dur = /silence_duration:\s*(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line);
      const s = this.open ?? Math.max(0, dur ? e - Number(dur[1]) : 0);
      this.silences.push({ start: s, end: e });
      this.open = undefined;
    }
  }

  /** All silences, the one still open at the end of input included. */
  finish(): Silence[] {
    if (this.open !== undefined) {
      this.silences.push({ start: this.open });
      this.open = undefined;
    }
    return this.silences;
  }
}
