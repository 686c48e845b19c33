import { describe, expect, it } from 'vitest';
import { Ebur128SummaryParser, MetadataCollector, SilenceCollector, ffNumber, splitContext } from '../../src/media/analysis-log.js';
import { audioMeasureChain, sceneChain, silenceChain } from '../../src/media/analyze.js';

describe('metadata print lines', () => {
  it('pairs each key with the time of its own filter instance', () => {
    const c = new MetadataCollector(['lavfi.r128.M', 'lavfi.scene_score']);
    for (const line of [
      '[Parsed_ametadata_4 @ 0x85e4fc0] frame:7    pts:33600   pts_time:0.7',
      '[Parsed_metadata_2 @ 0x43619fc0] frame:0    pts:81920   pts_time:8',
      '[Parsed_ametadata_4 @ 0x85e4fc0] lavfi.r128.M=-36.005',
      '[Parsed_metadata_2 @ 0x43619fc0] lavfi.scene_score=1.000000',
      '[Parsed_ametadata_4 @ 0x85e4fc0] lavfi.r128.LRA=3.2',
      '[Parsed_ametadata_4 @ 0x85e4fc0] frame:8    pts:38400   pts_time:0.8',
      '[Parsed_ametadata_4 @ 0x85e4fc0] lavfi.r128.M=-inf',
      'lavfi.r128.M=-1 (no context: ignored)',
    ]) c.onLine(line);
    expect(c.get('lavfi.r128.M')).toEqual([{ t: 0.7, value: -36.005 }, { t: 0.8, value: -Infinity }]);
    expect(c.get('lavfi.scene_score')).toEqual([{ t: 8, value: 1 }]);
  });

  it('splits the filter context off a line', () => {
    expect(splitContext('[silencedetect @ 0x1621afc0] silence_start: 6.016')).toEqual({ context: 'silencedetect @ 0x1621afc0', rest: 'silence_start: 6.016' });
    expect(splitContext('    I:         -36.1 LUFS')).toEqual({ rest: '    I:         -36.1 LUFS' });
    expect(ffNumber('-inf')).toBeNull();
    expect(ffNumber('-21.7')).toBe(-21.7);
  });
});

describe('ebur128 summary', () => {
  it('reads integrated loudness, range, sample and true peak', () => {
    const p = new Ebur128SummaryParser();
    for (const line of [
      '[Parsed_astats_3 @ 0x856ea80] Peak level dB: -52.825104',
      '[Parsed_ebur128_2 @ 0x8584c80] Summary:', '', '  Integrated loudness:', '    I:         -36.1 LUFS', '    Threshold: -47.9 LUFS', '',
      '  Loudness range:', '    LRA:        13.7 LU', '    Threshold: -57.9 LUFS', '    LRA low:   -49.5 LUFS', '    LRA high:  -35.8 LUFS', '',
      '  Sample peak:', '    Peak:      -21.8 dBFS', '', '  True peak:', '    Peak:      -21.7 dBFS',
    ]) p.onLine(line);
    expect(p.summary).toEqual({ integrated: -36.1, range: 13.7, samplePeak: -21.8, truePeak: -21.7 });
  });

  it('gives null for -inf peaks of a silent file', () => {
    const p = new Ebur128SummaryParser();
    for (const line of ['[Parsed_ebur128_0 @ 0x1] Summary:', '  Sample peak:', '    Peak:       -inf dBFS', '  True peak:', '    Peak:       -inf dBFS']) p.onLine(line);
    expect(p.summary.samplePeak).toBeNull();
    expect(p.summary.truePeak).toBeNull();
  });
});

describe('silencedetect lines', () => {
  it('pairs starts and ends and keeps a silence open at the end of input', () => {
    const c = new SilenceCollector();
    for (const line of [
      '[silencedetect @ 0x1621afc0] silence_start: 6.016',
      '[silencedetect @ 0x1621afc0] silence_end: 9.51467 | silence_duration: 3.49867',
      '[silencedetect @ 0x1621afc0] silence_start: 38.5174',
    ]) c.onLine(line);
    expect(c.finish()).toEqual([{ start: 6.016, end: 9.51467 }, { start: 38.5174 }]);
  });
});

describe('filter chains', () => {
  it('measures audio in 100 ms frames with momentary loudness and window peaks', () => {
    const chain = audioMeasureChain();
    expect(chain).toContain('asetnsamples=n=4800');
    expect(chain).toContain('ebur128=metadata=1:peak=true+sample');
    expect(chain).toContain('key=lavfi.r128.M');
    expect(chain).toContain('key=lavfi.astats.Overall.Peak_level');
  });

  it('uses scdet where the build has it and select scene otherwise, on a downscaled picture', () => {
    const withScdet = sceneChain(new Set(['scdet', 'select']), 0.3);
    expect(withScdet.method).toBe('scdet');
    expect(withScdet.chain).toMatch(/^scale=160:-2.*scdet=threshold=30,/);
    const old = sceneChain(new Set(['select']), 0.3);
    expect(old.method).toBe('select');
    expect(old.chain).toContain("select='gt(scene,0.3)'");
    expect(old.key).toBe('lavfi.scene_score');
  });

  it('detects silence with the calibrated threshold', () => {
    expect(silenceChain(-41.2, 0.5)).toBe('silencedetect=noise=-41.2dB:d=0.5');
  });
});
