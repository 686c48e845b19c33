// Request bodies of the HTTP APIs: JSON read with a size cap, then checked with a zod schema. Anything else is
// a 400 with what was wrong.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';

/** The JSON body of a request (`{}` when empty); 400 when larger than `maxBytes` or not JSON. */
export async function readJson(req: IncomingMessage, maxBytes = 64 * 1024): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new UsageError('BAD_REQUEST', { detail: 'body too large' });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (err) {
    throw new UsageError('BAD_REQUEST', { detail: (err as Error).message });
  }
}

/** `body` checked against `schema`; 400 listing each field that is wrong. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new UsageError('BAD_REQUEST', { detail: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  return r.data;
}
