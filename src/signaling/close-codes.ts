// The ONE mapping from errors to WebSocket close codes (RFC 6455 §7.4.1); the signaling layer owns the socket.
import { JiaoyanError } from '../core/errors.js';

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const WS_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooLarge: 1009,
  internal: 1011,
} as const;

/**
 * The close code for an error that ends a WebSocket: too large → 1009; refused, flooding or bad input →
 * 1008 (policy); the relay stopping (aborted) → 1001; anything else → 1011. Takes an error or a bare
 * machine code (as `parseClientMessage` returns).
 */
export function wsCloseCode(err: unknown): number {
  const code = typeof err === 'string' ? err : err instanceof JiaoyanError ? err.code : undefined;
  if (code === 'TOO_LARGE') return WS_CLOSE.tooLarge;
  if (code === 'FLOODED' || code === 'BAD_JSON' || code === 'BAD_MESSAGE') return WS_CLOSE.policy;
  if (err instanceof JiaoyanError) {
    if (err.kind === 'refused' || err.kind === 'usage') return WS_CLOSE.policy;
    if (err.kind === 'aborted') return WS_CLOSE.goingAway;
  }
  return WS_CLOSE.internal;
}

/** A close reason: the machine code, within the 123 bytes a close frame allows. */
export function wsCloseReason(err: unknown): string {
  const code = typeof err === 'string' ? err : err instanceof JiaoyanError ? err.code : 'INTERNAL';
  return Buffer.from(code).subarray(0, 123).toString('utf8');
}
