// Secrets and invite codes: host keys and admin tokens are long random strings; invite codes are short
// digits people can read aloud (they are guarded by the failure limiter, not by their length).
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Fewest random bytes a secret may have: 16 bytes = 128 bits. */
export const MIN_SECRET_BYTES = 16;

/** A random secret as base64url (no padding): 24 bytes → 32 characters, 192 bits. */
export function randomSecret(bytes = 24): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES) {
    throw new RangeError(`a secret needs at least ${MIN_SECRET_BYTES} random bytes, asked for ${bytes}`);
  }
  return randomBytes(bytes).toString('base64url');
}

/** Nine uniformly random digits ("048213977"); leading zeros are kept. Show it with `formatCode`. */
export function inviteCode(): string {
  return randomInt(0, 1_000_000_000).toString().padStart(9, '0');
}

/** sha256 of a secret, hex: what may be stored or logged instead of the secret itself. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Compare two secrets in constant time. Both sides are hashed first so neither the content nor the length
 * of the expected secret leaks through timing.
 */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
