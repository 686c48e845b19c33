import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LessonAnalysis } from '../../src/media/analyze.js';
import { runCli, tempDir, type CliRun } from '../helpers/cli.js';
import { lessonRecording } from '../helpers/lesson-media.js';
import { parseXmlish } from '../helpers/xml.js';

// A 40 s lesson: the voice stops 6.0–9.5 s, 20.0–24.0 s and from 38.5 s to the end, is 18 dB quieter
// 30–36 s, and the picture cuts at 8, 17 and 29 s.
const GAPS: [number, number][] = [[6, 9.5], [20, 24], [38.5, 40]];
const LONG_GAPS = GAPS.filter(([a, b]) => b - a >= 3);
const SILENT_SECONDS = GAPS.reduce((s, [a, b]) => s + (b - a), 0);
const CUTS = [8, 17, 29];
const env = () => ({ JIAOYAN_HOME: tempDir() });

type AnalyzeJson = LessonAnalysis & { plot?: string };

function json(run: CliRun): AnalyzeJson {
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as AnalyzeJson;
}

function expectPausesAtGaps(pauses: { start: number; end: number; duration: number }[]): void {
  expect(pauses).toHaveLength(LONG_GAPS.length);
  pauses.forEach((p, i) => {
    expect(Math.abs(p.start - LONG_GAPS[i]![0])).toBeLessThanOrEqual(0.2);
    expect(Math.abs(p.end - LONG_GAPS[i]![1])).toBeLessThanOrEqual(0.2);
    expect(p.duration).toBeCloseTo(p.end - p.start, 3);
  });
}

describe('analyze a lesson with pauses, a quiet stretch and three slide changes', () => {
  let dir: string;
  let plot: string;
  let result: AnalyzeJson;

  beforeAll(async () => {
    const lesson = await lessonRecording({ duration: 40, gaps: GAPS, quiet: [30, 36], noise: 0.003, cuts: CUTS });
    dir = tempDir();
    plot = join(dir, '课堂 loudness.svg');
    result = json(await runCli(['--json', 'analyze', lesson, '--plot', plot], { env: env() }));
  });

  it('finds the long pauses within 0.2 s of where the voice stopped', () => {
    expectPausesAtGaps(result.pauses);
  });

  it('measures the speaking ratio from all silences, the one at the end included', () => {
    const expected = 1 - SILENT_SECONDS / 40;
    expect(Math.abs(result.speakingRatio - expected)).toBeLessThanOrEqual(0.02);
    expect(result.silenceRatio + result.speakingRatio).toBeCloseTo(1, 2);
    expect(Math.abs(result.silenceSeconds - SILENT_SECONDS)).toBeLessThanOrEqual(0.6);
  });

  it('calibrates the threshold above the room noise and below the voice', () => {
    expect(result.silenceThresholdDb).toBeGreaterThan(result.noiseFloorDb);
    expect(result.silenceThresholdDb).toBeCloseTo(result.noiseFloorDb + 6, 1);
    expect(result.noiseFloorDb).toBeLessThan(-40);
    expect(result.silenceThresholdClamped).toBe(false);
  });

  it('counts exactly the picture cuts that were made, at their times', () => {
    const scenes = result.sceneChanges!;
    expect(scenes.count).toBe(CUTS.length);
    expect(scenes.times).toHaveLength(CUTS.length);
    scenes.times.forEach((t, i) => expect(Math.abs(t - CUTS[i]!)).toBeLessThanOrEqual(0.15));
    expect(scenes.perMinute).toBeCloseTo(CUTS.length / (40 / 60), 1);
  });

  it('reports the quiet stretch and not the silences', () => {
    expect(result.quietStretches).toHaveLength(1);
    const q = result.quietStretches[0]!;
    expect(q.start).toBeGreaterThanOrEqual(29.5);
    expect(q.start).toBeLessThanOrEqual(31.5);
    expect(Math.abs(q.end - 36)).toBeLessThanOrEqual(0.5);
  });

  it('prints one JSON object with loudness, peaks and a curve of one value per step', () => {
    expect(Object.keys(result)).toEqual(expect.arrayContaining([
      'input', 'duration', 'integratedLufs', 'loudnessRange', 'peak', 'silenceThresholdDb', 'noiseFloorDb', 'speakingRatio',
      'silenceRatio', 'pauses', 'quietStretches', 'sceneChanges', 'curve', 'plot',
    ]));
    expect(result.duration).toBeCloseTo(40, 0);
    expect(result.integratedLufs).toBeGreaterThan(-30);
    expect(result.integratedLufs).toBeLessThan(-18);
    expect(result.peak.true!).toBeGreaterThanOrEqual(result.peak.sample! - 0.5);
    expect(result.peak.true!).toBeLessThan(0);
    expect(result.loudnessRange!).toBeGreaterThan(0);
    expect(result.curve.step).toBe(1);
    expect(result.curve.values).toHaveLength(40);
    // The curve dips in the middle of the first gap.
    expect(result.curve.values[7]!).toBeLessThan(result.curve.values[3]! - 20);
  });

  it('writes an SVG chart with the pauses shaded and the file name in the title', () => {
    expect(result.plot).toBe(plot);
    const svg = readFileSync(plot, 'utf8');
    const elements = parseXmlish(svg);
    expect(elements[0]!.name).toBe('svg');
    const shaded = elements.filter((e) => e.name === 'rect' && e.attrs.class === 'pause' && e.attrs['data-start']);
    expect(shaded.map((e) => Math.round(Number(e.attrs['data-start'])))).toEqual(LONG_GAPS.map(([a]) => a));
    expect(svg).toContain(result.file);
    expect(svg).toContain('class="threshold"');
  });
});

describe('analyze in other rooms and formats', () => {
  it('still finds the gaps when the room is 15 dB noisier', async () => {
    const loud = await lessonRecording({ duration: 40, gaps: GAPS, noise: 0.012 });
    const quiet = await lessonRecording({ duration: 40, gaps: GAPS, quiet: [30, 36], noise: 0.003, cuts: CUTS });
    const [a, b] = await Promise.all([runCli(['--json', 'analyze', loud], { env: env() }), runCli(['--json', 'analyze', quiet], { env: env() })]);
    const noisy = json(a);
    const calm = json(b);
    expect(noisy.noiseFloorDb).toBeGreaterThan(calm.noiseFloorDb + 10);
    expect(noisy.silenceThresholdDb).toBeGreaterThan(calm.silenceThresholdDb + 10);
    expect(noisy.silenceThresholdClamped).toBe(false);
    expectPausesAtGaps(noisy.pauses);
    expect(Math.abs(noisy.speakingRatio - (1 - SILENT_SECONDS / 40))).toBeLessThanOrEqual(0.02);
  });

  it('skips slide changes for a sound-only recording', async () => {
    const m4a = await lessonRecording({ duration: 40, gaps: GAPS, noise: 0.012 });
    const result = json(await runCli(['--json', 'analyze', m4a], { env: env() }));
    expect(result.sceneChanges).toBeNull();
  });

  it('explains in Chinese on the terminal, with a sparkline and no claim about who talks', async () => {
    const lesson = await lessonRecording({ duration: 40, gaps: GAPS, quiet: [30, 36], noise: 0.003, cuts: CUTS });
    const run = await runCli(['--lang', 'zh', 'analyze', lesson], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('长停顿       2 处');
    expect(run.stdout).toContain('画面切换     3 次');
    expect(run.stdout).toMatch(/[▁▂▃▄▅▆▇█]{20,}/);
    expect(run.stdout).toContain('无法区分说话人');
    expect(run.stdout).toContain('00:06.0 – 00:09.5');
  });

  it('fails with NO_AUDIO (exit 1) for a recording without sound', async () => {
    const mute = await lessonRecording({ duration: 6, gaps: [], noise: 0, cuts: [3], audio: false });
    const run = await runCli(['--json', 'analyze', mute], { env: env() });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ event: 'error', code: 'NO_AUDIO' });
    expect(JSON.parse(run.stdout).message).toContain(mute);
  });

  it('fails with exit 1 and the path for a missing input', async () => {
    const missing = join(tempDir(), 'nope.mp4');
    const run = await runCli(['analyze', missing], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(missing);
  });

  it('refuses an unknown analysis preset with exit 2', async () => {
    const m4a = await lessonRecording({ duration: 40, gaps: GAPS, noise: 0.012 });
    const run = await runCli(['analyze', m4a, '--preset', 'nope'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope');
  });
});
