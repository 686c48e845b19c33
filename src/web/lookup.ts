// `GET /api/join/<code>`: the session behind an invite code, shown before joining. The mapping from an HTTP
// answer to what the form says is pure (lookupResult) and unit-tested.

export type Lookup =
  | { kind: 'found'; title: string; seats: number; venues: string[] }
  | { kind: 'unknown' }
  | { kind: 'ended' }
  | { kind: 'rateLimited'; seconds: number }
  | { kind: 'failed' };

/** What a status + JSON body (+ Retry-After header) from `/api/join/<code>` means for the form. */
export function lookupResult(status: number, body: unknown, retryAfter: string | null): Lookup {
  if (status === 404) return { kind: 'unknown' };
  if (status === 410) return { kind: 'ended' };
  if (status === 429) {
    const s = Number(retryAfter);
    return { kind: 'rateLimited', seconds: Number.isFinite(s) && s > 0 ? Math.ceil(s) : 60 };
  }
  if (status !== 200 || typeof body !== 'object' || body === null) return { kind: 'failed' };
  const b = body as Record<string, unknown>;
  if (typeof b.title !== 'string') return { kind: 'failed' };
  const venues = Array.isArray(b.venues) ? b.venues.filter((v): v is string => typeof v === 'string') : [];
  const seats = typeof b.seats === 'number' && Number.isInteger(b.seats) ? b.seats : 0;
  return { kind: 'found', title: b.title, seats, venues };
}

/** Ask the relay about `digits` (the 9-digit code). Network failures become `failed`. */
export async function lookupCode(digits: string, signal?: AbortSignal): Promise<Lookup> {
  let res: Response;
  try {
    res = await fetch(`/api/join/${encodeURIComponent(digits)}`, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    console.warn('jiaoyan: invite code look-up failed', err);
    return { kind: 'failed' };
  }
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  const body: unknown = isJson ? await res.json().then((b: unknown) => b, () => null) : null;
  return lookupResult(res.status, body, res.headers.get('retry-after'));
}
