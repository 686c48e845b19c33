// Reconnect timing: 1, 2, 4, 8, then 10 s between attempts, and how long a broken media path is tolerated.

export const RECONNECT_MAX_MS = 10_000;
/** ICE `disconnected`/`failed` for longer than this counts as a network drop. */
export const ICE_GRACE_MS = 5_000;

/** Delay before reconnect attempt number `attempt` (0-based). */
export function reconnectDelayMs(attempt: number): number {
  const n = Math.max(0, Math.floor(attempt));
  return Math.min(1000 * 2 ** Math.min(n, 10), RECONNECT_MAX_MS);
}
