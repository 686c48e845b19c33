// Upload tokens of the county relay (`jiaoyan library token create --school NAME`): one school may upload
// recordings with it (`/api/uploads…` only). Kept in `<data-dir>/upload-tokens.json` (mode 0600) as sha256
// hashes: the token itself is shown once and never stored. Read afresh on each look-up, so a token made by the
// CLI works at once on the running relay.
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSecret, randomSecret, sameSecret } from '../core/secrets.js';
import { JsonStore } from './json-store.js';

export interface UploadTokenEntry {
  /** sha256 (hex) of the token. */
  readonly hash: string;
  readonly school: string;
  readonly createdAt: string;
}

interface Data {
  version: 1;
  tokens: UploadTokenEntry[];
}

export class UploadTokens {
  readonly #store: JsonStore<Data>;

  constructor(dataDir: string) {
    this.#store = new JsonStore<Data>(join(dataDir, 'upload-tokens.json'), { version: 1, tokens: [] });
  }

  /** A new token for `school` (192 random bits); only its hash is kept. */
  async create(school: string): Promise<string> {
    const token = randomSecret(24);
    const entry: UploadTokenEntry = { hash: hashSecret(token), school, createdAt: new Date().toISOString() };
    await this.#store.update((d) => void d.tokens.push(entry));
    await chmod(this.#store.path, 0o600);
    return token;
  }

  /** The school a token belongs to, or undefined: the token is hashed and the hashes compared in constant time. */
  async schoolOf(token: string): Promise<string | undefined> {
    const hash = hashSecret(token);
    let school: string | undefined;
    for (const t of (await this.#store.read()).tokens) if (sameSecret(hash, t.hash)) school = t.school;
    return school;
  }

  async list(): Promise<{ school: string; createdAt: string }[]> {
    return (await this.#store.read()).tokens.map((t) => ({ school: t.school, createdAt: t.createdAt }));
  }

  /** Revoke every token of a school; returns how many there were. */
  async revoke(school: string): Promise<number> {
    const count = await this.#store.update((d) => {
      const before = d.tokens.length;
      d.tokens = d.tokens.filter((t) => t.school !== school);
      return before - d.tokens.length;
    });
    await chmod(this.#store.path, 0o600);
    return count;
  }
}
