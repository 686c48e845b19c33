// Secrets are long and random, invite codes are nine uniform digits, comparisons leak nothing.
import { describe, expect, it } from 'vitest';
import { hashSecret, inviteCode, randomSecret, sameSecret } from '../../src/core/secrets.js';

describe('randomSecret', () => {
  it('is base64url of 24 random bytes by default (192 bits, 32 characters)', () => {
    const s = randomSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(s, 'base64url')).toHaveLength(24);
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomSecret()));
    expect(seen.size).toBe(1000);
  });

  it('refuses fewer than 128 bits', () => {
    expect(() => randomSecret(15)).toThrow(RangeError);
    expect(Buffer.from(randomSecret(16), 'base64url')).toHaveLength(16);
  });
});

describe('inviteCode', () => {
  it('is nine digits, every digit appearing in every position, leading zeros kept', () => {
    const codes = Array.from({ length: 3000 }, () => inviteCode());
    for (const c of codes) expect(c).toMatch(/^[0-9]{9}$/);
    for (let pos = 0; pos < 9; pos++) {
      expect(new Set(codes.map((c) => c[pos])).size).toBe(10);
    }
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
  });
});

describe('sameSecret', () => {
  it('accepts the same secret and refuses any other', () => {
    const s = randomSecret();
    expect(sameSecret(s, `${s}`)).toBe(true);
    expect(sameSecret(s, s.slice(0, -1))).toBe(false);
    expect(sameSecret(s, s + 'x')).toBe(false);
    expect(sameSecret(s, '')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
    expect(sameSecret('密钥', '密钥')).toBe(true);
  });
});

describe('hashSecret', () => {
  it('is sha256 hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
