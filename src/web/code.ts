// Invite codes and the host key as they reach the page: typed by people, in the `/j/<code>` path, in the
// `#hostKey=` fragment. Pure functions (no DOM) so they are unit-tested directly.

/** The 9 digits of an invite code typed with or without dashes/spaces ("482-193-775"), or null. */
export function parseInviteCode(input: string): string | null {
  const compact = input.trim().replace(/[\s-]/g, '');
  return /^[0-9]{9}$/.test(compact) ? compact : null;
}

/** Digits grouped by three with dashes: "482193775" → "482-193-775"; partial input is grouped as far as it goes. */
export function formatInviteCode(input: string): string {
  const digits = input.replace(/[^0-9]/g, '').slice(0, 9);
  const groups = digits.match(/[0-9]{1,3}/g) ?? [];
  return groups.join('-');
}

/** The invite code in a `/j/<code>` path, or null for any other path. */
export function codeFromPath(pathname: string): string | null {
  const m = /^\/j\/([^/]+)\/?$/.exec(pathname);
  if (!m || m[1] === undefined) return null;
  return parseInviteCode(safeDecode(m[1]));
}

/** Length bounds of a host key (as the relay's `join` schema requires). */
export const HOST_KEY_MIN = 16;
export const HOST_KEY_MAX = 128;

export function isHostKey(value: string): boolean {
  return value.length >= HOST_KEY_MIN && value.length <= HOST_KEY_MAX && !/\s/.test(value);
}

/**
 * The host key from a URL fragment such as `#hostKey=…` (or `#a=1&hostKey=…`), or null. The fragment never
 * reaches the server or its logs, unlike a query string, so it is the only place a host key is read from.
 */
export function hostKeyFromHash(hash: string): string | null {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq) !== 'hostKey') continue;
    const value = safeDecode(part.slice(eq + 1));
    return isHostKey(value) ? value : null;
  }
  return null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch (err) {
    if (err instanceof URIError) return s; // a stray "%" typed by hand: keep the text as it is
    throw err;
  }
}
