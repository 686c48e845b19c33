// The packet sealer reuses Node's native cipher handle: every packet must come out exactly as createCipheriv seals
// it (and as a decipher opens it), whatever its size, key and nonce, one after another on the same handle; the
// public-API fallback gives the same bytes.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GcmSealer } from '../../src/relay/gcm-sealer.js';

const AAD_BYTES = 12;

function expected(aad: Buffer, payload: Buffer, key: Buffer, nonce: Buffer): Buffer {
  const c = createCipheriv('aes-128-gcm', key, nonce);
  c.setAAD(aad);
  return Buffer.concat([aad, c.update(payload), c.final(), c.getAuthTag()]);
}

function sealWith(sealer: GcmSealer, aad: Buffer, payload: Buffer, key: Buffer, nonce: Buffer): Buffer {
  const out = Buffer.alloc(AAD_BYTES + payload.length + 16, 0xee);
  aad.copy(out);
  sealer.seal(out, AAD_BYTES, payload, key, nonce);
  return out;
}

describe('GcmSealer', () => {
  for (const native of [true, false]) {
    it(`seals 2,000 packets of every size exactly like createCipheriv (${native ? 'reused native handle' : 'public API'})`, () => {
      const sealer = new GcmSealer(native);
      expect(sealer.native).toBe(native);
      const keys = [randomBytes(16), randomBytes(16)];
      for (let i = 0; i < 2000; i++) {
        const key = keys[i % 2]!, nonce = randomBytes(12), aad = randomBytes(AAD_BYTES), payload = randomBytes((i * 53) % 1400);
        const out = sealWith(sealer, aad, payload, key, nonce);
        expect(out.equals(expected(aad, payload, key, nonce))).toBe(true);
      }
    });
  }

  it('gives packets a decipher opens, and refuses a tampered one', () => {
    const sealer = new GcmSealer();
    const key = randomBytes(16), nonce = randomBytes(12), aad = randomBytes(AAD_BYTES), payload = Buffer.from('第一环节：导入');
    const out = sealWith(sealer, aad, payload, key, nonce);
    const open = (packet: Buffer) => {
      const d = createDecipheriv('aes-128-gcm', key, nonce);
      d.setAAD(packet.subarray(0, AAD_BYTES));
      d.setAuthTag(packet.subarray(packet.length - 16));
      return Buffer.concat([d.update(packet.subarray(AAD_BYTES, packet.length - 16)), d.final()]);
    };
    expect(open(out).toString()).toBe('第一环节：导入');
    const tampered = Buffer.from(out);
    tampered[AAD_BYTES]! ^= 1;
    expect(() => open(tampered)).toThrow();
  });

  it('recovers from a call that fails mid-packet: the next packet is sealed right', () => {
    const sealer = new GcmSealer();
    const aad = randomBytes(AAD_BYTES), payload = randomBytes(100);
    expect(() => sealWith(sealer, aad, payload, randomBytes(7), randomBytes(12))).toThrow();
    const key = randomBytes(16), nonce = randomBytes(12);
    expect(sealWith(sealer, aad, payload, key, nonce).equals(expected(aad, payload, key, nonce))).toBe(true);
  });
});
