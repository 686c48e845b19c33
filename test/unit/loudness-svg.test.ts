import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '../../src/core/i18n.js';
import type { LessonAnalysis } from '../../src/media/analyze.js';
import { escapeXml, formatClock, loudnessRange, loudnessSvg, timeTickStep } from '../../src/media/loudness-svg.js';
import { parseXmlish } from '../helpers/xml.js';

function analysis(over: Partial<LessonAnalysis> = {}): LessonAnalysis {
  return {
    input: '/x/lesson.mp4', file: 'lesson <1> & "2".mp4', preset: 'default', duration: 40,
    integratedLufs: -24, loudnessRange: 10, peak: { true: -9.7, sample: -9.8 },
    noiseFloorDb: -47, silenceThresholdDb: -41, silenceThresholdClamped: false,
    speakingRatio: 0.776, silenceRatio: 0.224, silenceSeconds: 9,
    pauses: [{ start: 6, end: 9.5, duration: 3.5 }, { start: 20, end: 24, duration: 4 }],
    quietStretches: [{ start: 31, end: 36, duration: 5 }],
    sceneChanges: { count: 3, perMinute: 4.5, times: [8, 17, 29], method: 'select', threshold: 0.3 },
    curve: { step: 1, values: Array.from({ length: 40 }, (_, i) => (i >= 6 && i < 10 ? -54 : -24)) },
    thresholds: { longPauseSeconds: 3, quietLufs: -35, quietMinSeconds: 5, silenceMinSeconds: 0.5, silenceAboveFloorDb: 6, silenceMinDb: -60, silenceMaxDb: -25 },
    ...over,
  };
}

afterEach(() => setLang('en'));

describe('loudness chart', () => {
  it('is one well-formed svg element with the file name escaped in the title', () => {
    const svg = loudnessSvg(analysis());
    const elements = parseXmlish(svg);
    expect(elements[0]!.name).toBe('svg');
    expect(elements[0]!.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg).toContain('lesson &lt;1&gt; &amp; &quot;2&quot;.mp4');
    expect(svg).not.toContain('<script');
  });

  it('shades each long pause and quiet stretch at its times', () => {
    const elements = parseXmlish(loudnessSvg(analysis()));
    const pauses = elements.filter((e) => e.name === 'rect' && e.attrs.class === 'pause' && e.attrs['data-start']);
    expect(pauses.map((e) => [Number(e.attrs['data-start']), Number(e.attrs['data-end'])])).toEqual([[6, 9.5], [20, 24]]);
    const quiet = elements.filter((e) => e.name === 'rect' && e.attrs.class === 'quiet' && e.attrs['data-start']);
    expect(quiet).toHaveLength(1);
    // A later pause lies further right.
    expect(Number(pauses[1]!.attrs.x)).toBeGreaterThan(Number(pauses[0]!.attrs.x));
  });

  it('draws the curve, the threshold line and the scene changes', () => {
    const elements = parseXmlish(loudnessSvg(analysis()));
    const curve = elements.find((e) => e.name === 'polyline' && e.attrs.class === 'curve');
    expect(curve!.attrs.points!.trim().split(/\s+/)).toHaveLength(40);
    const threshold = elements.filter((e) => e.name === 'line' && e.attrs.class === 'threshold' && e.attrs.x1 === '68');
    expect(threshold).toHaveLength(1);
    expect(elements.filter((e) => e.name === 'line' && e.attrs.class === 'scene' && e.attrs.y1 === '78')).toHaveLength(3);
  });

  it('labels axes in mm:ss and in the current language', () => {
    setLang('zh');
    const svg = loudnessSvg(analysis({ sceneChanges: null }));
    expect(svg).toContain('响度随时间变化');
    expect(svg).toContain('时间（分:秒）');
    expect(svg).toContain('>00:35<');
    expect(svg).not.toContain('画面切换</text></g>');
    parseXmlish(svg);
  });
});

describe('chart helpers', () => {
  it('formats clock times', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(65.04, 1)).toBe('01:05.0');
    expect(formatClock(59.96, 1)).toBe('01:00.0');
    expect(formatClock(3725)).toBe('1:02:05');
  });

  it('chooses readable time ticks and a loudness range in tens', () => {
    expect(timeTickStep(40)).toBe(5);
    expect(timeTickStep(45 * 60)).toBe(300);
    expect(loudnessRange([-24, -54], [-48])).toEqual({ min: -60, max: -20 });
    expect(loudnessRange([-30, -31], [])).toEqual({ min: -40, max: -20 });
    expect(escapeXml(`a'b`)).toBe('a&apos;b');
  });
});
