// Session templates (presets/sessions/*.json): default seats, who gives seats, rundown and description per kind.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';

const kindSchema = z.object({
  name: z.string(),
  seats: z.number().int().min(0),
  /** Viewers may take a free seat themselves; false: they raise a hand and the host grants seats. */
  selfSeat: z.boolean().default(true),
  /** Rundown used when `session start` gives no --venues. */
  venues: z.array(z.string()).default([]),
  description: z.object({ en: z.string(), zh: z.string() }),
});
export type SessionKind = z.infer<typeof kindSchema>;

export class SessionKinds {
  readonly #kinds = new Map<string, SessionKind>();

  constructor(dir = join(packageRoot(), 'presets', 'sessions')) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      const k = kindSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      this.#kinds.set(k.name, k);
    }
  }

  get(name: string): SessionKind {
    const k = this.#kinds.get(name);
    if (!k) throw new UsageError('SESSION_KIND_UNKNOWN', { kind: name, kinds: [...this.#kinds.keys()].join(', ') });
    return k;
  }

  names(): string[] {
    return [...this.#kinds.keys()];
  }
}
