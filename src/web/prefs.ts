// What the page remembers in localStorage: the last invite code, name and venue, and the chosen language.
// The host key is a secret and is never stored. Storage can be unavailable (disabled, private mode).

export interface JoinPrefs {
  code: string;
  name: string;
  venue: string;
}

const JOIN_KEY = 'jiaoyan.join';
const LANG_KEY = 'jiaoyan.lang';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch (err) {
    console.warn('jiaoyan: localStorage unavailable', err);
    return null;
  }
}

export function loadJoinPrefs(): JoinPrefs {
  const empty: JoinPrefs = { code: '', name: '', venue: '' };
  const raw = storage()?.getItem(JOIN_KEY);
  if (!raw) return empty;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    console.warn('jiaoyan: forgot unreadable saved join details', err);
    return empty;
  }
  if (typeof v !== 'object' || v === null) return empty;
  const o = v as Record<string, unknown>;
  const str = (x: unknown): string => (typeof x === 'string' ? x.slice(0, 64) : '');
  return { code: str(o.code), name: str(o.name), venue: str(o.venue) };
}

export function saveJoinPrefs(prefs: JoinPrefs): void {
  storage()?.setItem(JOIN_KEY, JSON.stringify(prefs));
}

export function loadLang(): string | null {
  return storage()?.getItem(LANG_KEY) ?? null;
}

export function saveLang(lang: string): void {
  storage()?.setItem(LANG_KEY, lang);
}
