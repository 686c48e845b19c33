import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  checkInputCount, escapeFilterValue, parseAudioChoice, parseLabels, planCompare, scaledWidth, type TileSource,
} from '../../src/media/compare-graph.js';
import { defaultCompareName } from '../../src/media/compare.js';

const src = (width: number, height: number, duration: number, over: Partial<TileSource> = {}): TileSource => ({
  width, height, duration, fps: 25, fpsFraction: '25/1', hasAudio: true, labelFile: '/tmp/l.txt', ...over,
});
const opts = { audio: { kind: 'one', index: 0 } as const, fontFile: '/usr/share/fonts/x.ttc', timecodeFile: '/tmp/tc.txt' };

function usageCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.code;
    throw err;
  }
  return undefined;
}

describe('compare flags', () => {
  it('takes 2 or 4 inputs only', () => {
    expect(usageCode(() => checkInputCount(3))).toBe('COMPARE_COUNT');
    expect(usageCode(() => checkInputCount(1))).toBe('COMPARE_COUNT');
    expect(usageCode(() => checkInputCount(4))).toBeUndefined();
  });

  it('reads --audio as an input number or both', () => {
    expect(parseAudioChoice('2', 2)).toEqual({ kind: 'one', index: 1 });
    expect(parseAudioChoice('BOTH', 4)).toEqual({ kind: 'both' });
    expect(usageCode(() => parseAudioChoice('3', 2))).toBe('AUDIO_CHOICE');
    expect(usageCode(() => parseAudioChoice('left', 2))).toBe('AUDIO_CHOICE');
    expect(usageCode(() => parseAudioChoice('0', 2))).toBe('AUDIO_CHOICE');
  });

  it('splits labels on ASCII and full-width commas and counts them', () => {
    expect(parseLabels('张老师，李老师', 2)).toEqual(['张老师', '李老师']);
    expect(parseLabels(' A , B ,C,D', 4)).toEqual(['A', 'B', 'C', 'D']);
    expect(usageCode(() => parseLabels('张老师', 2))).toBe('LABELS_COUNT');
  });

  it('names the output after the inputs', () => {
    expect(defaultCompareName(['/a/张老师.mp4', 'b/li.mov'])).toBe('张老师_vs_li.mp4');
  });
});

describe('filter values', () => {
  it('escapes for the option and the graph parser', () => {
    expect(escapeFilterValue('/usr/share/fonts/a.ttc')).toBe('/usr/share/fonts/a.ttc');
    expect(escapeFilterValue('C:/x.ttf')).toBe('C\\\\:/x.ttf');
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterValue('a,b;[c]')).toBe('a\\,b\\;\\[c\\]');
  });
});

describe('compare layout', () => {
  it('puts two inputs side by side at the lower height, each keeping its shape', () => {
    const plan = planCompare([src(320, 240, 6), src(640, 360, 4)], opts);
    expect(plan.tileHeight).toBe(240);
    expect(scaledWidth(640, 360, 240)).toBe(426);
    expect([plan.width, plan.height]).toEqual([746, 240]);
    expect(plan.duration).toBe(6);
    expect(plan.filter).toContain('hstack=inputs=2');
    expect(plan.filter.match(/tpad=stop=-1:stop_mode=clone/g)).toHaveLength(2);
    expect(plan.filter.match(/setsar=1/g)).toHaveLength(2);
  });

  it('builds a 2×2 grid of equal tiles for four inputs, no taller than 360 each', () => {
    const plan = planCompare([src(1280, 720, 10), src(640, 480, 8), src(1920, 1080, 12), src(1280, 720, 9)], opts);
    expect(plan.tileHeight).toBe(360);
    expect(plan.tileWidth).toBe(640);
    expect([plan.width, plan.height]).toEqual([1280, 720]);
    expect(plan.duration).toBe(12);
    expect(plan.filter).toContain('xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0');
    expect(plan.filter.match(/pad=640:360/g)).toHaveLength(4);
  });

  it('uses one frame rate for all tiles, at most 30', () => {
    expect(planCompare([src(320, 240, 1, { fps: 29.97, fpsFraction: '30000/1001' }), src(320, 240, 1)], opts).fps).toBe('30000/1001');
    expect(planCompare([src(320, 240, 1, { fps: 60, fpsFraction: '60/1' }), src(320, 240, 1)], opts).fps).toBe('30');
  });

  it('labels with text files and a running timecode, the font path escaped', () => {
    const plan = planCompare([src(320, 240, 1), src(320, 240, 1)], { ...opts, fontFile: "/f/my font's:x.ttc" });
    expect(plan.filter).toContain("fontfile=/f/my font\\\\\\'s\\\\:x.ttc");
    expect(plan.filter).toContain('expansion=none:textfile=/tmp/l.txt');
    expect(plan.filter).toContain('textfile=/tmp/tc.txt:x=w-tw-');
  });

  it('sends the first two inputs one per ear, silence for one without sound', () => {
    const plan = planCompare([src(320, 240, 2), src(320, 240, 2, { hasAudio: false })], { ...opts, audio: { kind: 'both' } });
    expect(plan.filter).toContain('join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[aout]');
    expect(plan.filter).toContain('[0:a:0]');
    expect(plan.filter).toContain('anullsrc=r=48000:cl=mono[a1]');
    expect(plan.silentInputs).toEqual([2]);
  });

  it('uses the chosen input as the only sound', () => {
    const plan = planCompare([src(320, 240, 2), src(320, 240, 2)], { ...opts, audio: { kind: 'one', index: 1 } });
    expect(plan.filter).toContain('[1:a:0]asetpts=PTS-STARTPTS');
    expect(plan.filter).not.toContain('[0:a:0]');
    expect(plan.silentInputs).toEqual([]);
  });
});
