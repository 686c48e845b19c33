// AES-128-GCM for one packet at a time, without a new Cipheriv object per packet. `createCipheriv` builds a stream
// object (LazyTransform state, a native handle with a weak reference) that lives until the next scavenge: at 150
// viewers that is 25,000 of them a second, and collecting them was the relay's longest pauses. Node's native cipher
// handle can be initialised again once `final()` has run (final releases its OpenSSL context), so one handle serves
// every packet: initiv → setAAD → update → final → getAuthTag, synchronously, nothing kept between packets.
// The handle is Node's internal object: at start-up the sealer checks it against createCipheriv on known data and
// uses the public API instead if anything differs or throws. If a call fails mid-packet the handle is dropped (a
// handle with a live context must not be initialised again) and the next packet starts on a fresh one.
import { createCipheriv, randomBytes } from 'node:crypto';
import { logger } from '../core/log.js';

const log = logger('relay:gcm');

interface NativeCipher {
  initiv(cipher: string, key: Buffer, iv: Buffer, authTagLength: number): void;
  setAAD(aad: Buffer, plaintextLength: number): boolean;
  update(data: Buffer): Buffer;
  final(): Buffer;
  getAuthTag(): Buffer | undefined;
}

type NativeCipherClass = new (encrypt: boolean) => NativeCipher;

const ALGORITHM = 'aes-128-gcm';
/** getUIntOption's "not given": the cipher's default tag length (16 for GCM). */
const DEFAULT_TAG_LENGTH = -1;

/** Node's cipher handle class, from a finished public cipher (undefined if its shape is not the expected one). */
function nativeCipherClass(): NativeCipherClass | undefined {
  const probe = createCipheriv(ALGORITHM, Buffer.alloc(16), Buffer.alloc(12));
  probe.final();
  const key = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kHandle');
  const handle = key ? (probe as unknown as Record<symbol, unknown>)[key] : undefined;
  const ctor = (handle as { constructor?: unknown } | undefined)?.constructor;
  if (typeof ctor !== 'function') return undefined;
  const proto = (ctor as { prototype: Record<string, unknown> }).prototype;
  return ['initiv', 'setAAD', 'update', 'final', 'getAuthTag'].every((m) => typeof proto[m] === 'function') ? (ctor as NativeCipherClass) : undefined;
}

/** The public API's result, for the self-check and the fallback. */
function sealPublic(key: Buffer, nonce: Buffer, aad: Buffer, payload: Buffer): { sealed: Buffer; tag: Buffer } {
  const c = createCipheriv(ALGORITHM, key, nonce);
  c.setAAD(aad);
  const sealed = Buffer.concat([c.update(payload), c.final()]);
  return { sealed, tag: c.getAuthTag() };
}

export class GcmSealer {
  readonly #Native: NativeCipherClass | undefined;
  #handle: NativeCipher | undefined;

  constructor(useNative = true) {
    this.#Native = useNative ? GcmSealer.#checkedNative() : undefined;
  }

  /** Whether packets go through the reused native handle (else through createCipheriv). */
  get native(): boolean {
    return this.#Native !== undefined;
  }

  /**
   * Encrypt `payload` into `out` at `at` (the AAD is `out[0, at)`), and the 16-byte tag right after it.
   * `out` must have room for at + payload.length + 16 bytes.
   */
  seal(out: Buffer, at: number, payload: Buffer, key: Buffer, nonce: Buffer): void {
    const aad = out.subarray(0, at);
    if (!this.#Native) {
      const { sealed, tag } = sealPublic(key, nonce, aad, payload);
      sealed.copy(out, at);
      tag.copy(out, at + payload.length);
      return;
    }
    let h = this.#handle ?? new this.#Native(true);
    this.#handle = undefined;
    h.initiv(ALGORITHM, key, nonce, DEFAULT_TAG_LENGTH);
    h.setAAD(aad, DEFAULT_TAG_LENGTH);
    h.update(payload).copy(out, at);
    h.final();
    h.getAuthTag()!.copy(out, at + payload.length);
    // Only a handle that got through final() (its context released) is used again.
    this.#handle = h;
  }

  static #checked: NativeCipherClass | null | undefined;

  /** The native class if it gives exactly what createCipheriv gives (checked once per process). */
  static #checkedNative(): NativeCipherClass | undefined {
    if (GcmSealer.#checked !== undefined) return GcmSealer.#checked ?? undefined;
    let ok: NativeCipherClass | null = null;
    try {
      const Native = nativeCipherClass();
      if (Native) {
        const h = new Native(true);
        ok = Native;
        for (const size of [0, 1, 160, 1100]) {
          const key = randomBytes(16), nonce = randomBytes(12), aad = randomBytes(12), payload = randomBytes(size);
          const want = sealPublic(key, nonce, aad, payload);
          h.initiv(ALGORITHM, key, nonce, DEFAULT_TAG_LENGTH);
          h.setAAD(aad, DEFAULT_TAG_LENGTH);
          const sealed = Buffer.concat([h.update(payload), h.final()]);
          if (!sealed.equals(want.sealed) || !h.getAuthTag()?.equals(want.tag)) ok = null;
        }
      }
    } catch (err) {
      log('native cipher handle unusable, using createCipheriv: %O', err);
      ok = null;
    }
    GcmSealer.#checked = ok;
    if (!ok) log('native cipher handle not used');
    return ok ?? undefined;
  }
}
