// The join page's pure helpers: invite codes as people type them, the host key in the URL fragment, and the
// reconnect back-off.
import { describe, expect, it } from 'vitest';
import { normaliseCode, formatCode } from '../../src/signaling/protocol.js';
import { codeFromPath, formatInviteCode, hostKeyFromHash, parseInviteCode } from '../../src/web/code.js';
import { reconnectDelayMs } from '../../src/web/backoff.js';

describe('invite codes on the join page', () => {
  it('accepts a code with dashes, spaces or neither', () => {
    for (const typed of ['482-193-775', '482193775', ' 482 193 775 ', '482-193775']) expect(parseInviteCode(typed)).toBe('482193775');
  });

  it('refuses anything that is not exactly nine digits', () => {
    for (const typed of ['', '48219377', '4821937755', '482-193-77a', '482_193_775', '４８２１９３７７５']) expect(parseInviteCode(typed)).toBeNull();
  });

  it('shows codes grouped by three, as the relay formats them', () => {
    expect(formatInviteCode('482193775')).toBe('482-193-775');
    expect(formatInviteCode('482193775')).toBe(formatCode(normaliseCode('482 193 775')));
    expect(formatInviteCode('4821')).toBe('482-1');
    expect(formatInviteCode('48-21937-75999')).toBe('482-193-775');
    expect(formatInviteCode('')).toBe('');
  });

  it('reads the code from a /j/<code> path only', () => {
    expect(codeFromPath('/j/482193775')).toBe('482193775');
    expect(codeFromPath('/j/482-193-775/')).toBe('482193775');
    expect(codeFromPath('/j/482%20193%20775')).toBe('482193775');
    expect(codeFromPath('/')).toBeNull();
    expect(codeFromPath('/j/')).toBeNull();
    expect(codeFromPath('/j/482193775/extra')).toBeNull();
    expect(codeFromPath('/x/482193775')).toBeNull();
    expect(codeFromPath('/j/%E0%A4%A')).toBeNull();
  });
});

describe('the host key in the URL fragment', () => {
  const key = 'k'.repeat(24);

  it('is read from #hostKey=…, alone or among other parameters', () => {
    expect(hostKeyFromHash(`#hostKey=${key}`)).toBe(key);
    expect(hostKeyFromHash(`#lang=en&hostKey=${key}`)).toBe(key);
    expect(hostKeyFromHash(`hostKey=${encodeURIComponent('a+b/c=d_efghijklmnop')}`)).toBe('a+b/c=d_efghijklmnop');
  });

  it('is ignored when missing or not shaped like a host key', () => {
    expect(hostKeyFromHash('')).toBeNull();
    expect(hostKeyFromHash('#')).toBeNull();
    expect(hostKeyFromHash('#hostkey=' + key)).toBeNull();
    expect(hostKeyFromHash('#hostKey=short')).toBeNull();
    expect(hostKeyFromHash('#hostKey=' + 'k'.repeat(129))).toBeNull();
    expect(hostKeyFromHash('#hostKey=' + encodeURIComponent('has a space in it!'))).toBeNull();
  });
});

describe('reconnect back-off', () => {
  it('waits 1, 2, 4, 8 s and then never more than 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 50, 5000].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000]);
  });

  it('treats a negative or fractional attempt as the first', () => {
    expect(reconnectDelayMs(-3)).toBe(1000);
    expect(reconnectDelayMs(0.7)).toBe(1000);
  });
});
