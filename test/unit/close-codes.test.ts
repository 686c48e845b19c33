import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidStateError, RefusedError, UsageError } from '../../src/core/errors.js';
import { WS_CLOSE, wsCloseCode, wsCloseReason } from '../../src/signaling/close-codes.js';

describe('WebSocket close codes', () => {
  it('close refused, flooding and bad input with 1008, too large with 1009, a stopping relay with 1001, the rest 1011', () => {
    expect(wsCloseCode(new RefusedError('RATE_LIMITED', { seconds: 3 }))).toBe(WS_CLOSE.policy);
    expect(wsCloseCode(new RefusedError('FLOODED'))).toBe(1008);
    expect(wsCloseCode('FLOODED')).toBe(1008);
    expect(wsCloseCode('BAD_MESSAGE')).toBe(1008);
    expect(wsCloseCode(new UsageError('BAD_PATH'))).toBe(1008);
    expect(wsCloseCode('TOO_LARGE')).toBe(1009);
    expect(wsCloseCode(new AbortedError())).toBe(1001);
    expect(wsCloseCode(new Error('boom'))).toBe(1011);
    expect(wsCloseCode(new InvalidStateError('Peer'))).toBe(1011);
    expect(wsCloseReason(new RefusedError('FLOODED'))).toBe('FLOODED');
    expect(wsCloseReason(new Error('secret internals'))).toBe('INTERNAL');
    expect(Buffer.byteLength(wsCloseReason('X'.repeat(500)))).toBe(123);
  });
});

