import { describe, expect, it } from 'vitest';
import { AbortedError, describeError, EnvironmentError, exitCodeOf, InvalidStateError, RefusedError, RuntimeError, UsageError } from '../../src/core/errors.js';
import { setLang, t } from '../../src/core/i18n.js';

describe('error classes map to the exit codes of CLI.md', () => {
  it.each([
    [new UsageError('BAD_TIME', { value: 'x' }), 2],
    [new RuntimeError('INPUT_MISSING', { path: '/a' }), 1],
    [new EnvironmentError('TOOL_MISSING', { tool: 'ffmpeg' }), 3],
    [new RefusedError('USAGE', { detail: 'no' }), 4],
    [new AbortedError(), 130],
    [new InvalidStateError('Relay'), 1],
    [new Error('plain'), 1],
  ])('%s → %d', (err, code) => {
    expect(exitCodeOf(err)).toBe(code);
  });

  it('localises at display time and keeps the machine code', () => {
    const err = new RuntimeError('INPUT_MISSING', { path: '/x/y.mp4' });
    setLang('zh');
    expect(describeError(err)).toEqual({ code: 'INPUT_MISSING', message: '找不到输入文件：/x/y.mp4' });
    setLang('en');
    expect(describeError(err).message).toBe('input file not found: /x/y.mp4');
  });

  it('describes a foreign error as INTERNAL', () => {
    expect(describeError(new TypeError('boom'))).toMatchObject({ code: 'INTERNAL' });
  });

  it('fills every placeholder in both languages', () => {
    expect(t('END_NOT_AFTER_START', { from: 'a', to: 'b' }, 'en')).not.toMatch(/\{\w+\}/);
    expect(t('END_NOT_AFTER_START', { from: 'a', to: 'b' }, 'zh')).not.toMatch(/\{\w+\}/);
  });
});
