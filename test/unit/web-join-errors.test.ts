// What a relay error means for the page's join: back to the form, the end, a later retry, or nothing.
import { describe, expect, it } from 'vitest';
import { joinErrorOutcome } from '../../src/web/client-types.js';

describe('join errors in the page', () => {
  it('sends a first join that fails back to the form', () => {
    expect(joinErrorOutcome('CODE_UNKNOWN', 'join', false, false)).toBe('fail');
    expect(joinErrorOutcome('RATE_LIMITED', 'join', false, false)).toBe('fail');
  });

  it('ends on a re-join the session refuses for good, retries one refused for now, and fails on a wrong key', () => {
    expect(joinErrorOutcome('SESSION_ENDED', 'join', false, true)).toBe('end');
    expect(joinErrorOutcome('RATE_LIMITED', 'join', false, true)).toBe('retry');
    expect(joinErrorOutcome('HOST_KEY_WRONG', 'join', false, true)).toBe('fail');
  });

  it('leaves errors of other requests, once in, to the notice line', () => {
    expect(joinErrorOutcome('SEAT_FULL', 'takeSeat', true, true)).toBeNull();
    expect(joinErrorOutcome('SEAT_FULL', 'takeSeat', false, true)).toBeNull();
    expect(joinErrorOutcome('CHAT_RATE_LIMITED', 'chat', true, true)).toBeNull();
  });
});
