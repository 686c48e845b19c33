// How a discussion message reads: `HH:MM 名字（学校）: text` — local wall-clock time, the sender with their
// school, and the text exactly as typed (the UI puts every part in through textContent). Pure: no DOM.
import type { ChatMessage } from '../signaling/protocol.js';
import type { Lang } from './i18n.js';

/** Longest message the page lets one type (the relay's MAX_CHAT_CHARS). */
export const CHAT_MAX_CHARS = 500;
/** Lines kept on screen; older ones are dropped. */
export const CHAT_KEEP = 300;

/** `HH:MM` in the browser's time zone, or `--:--` for a time that does not parse. */
export function chatTime(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '--:--';
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** The sender as shown: `名字（学校）` in Chinese, `Name (School)` in English. */
export function chatFrom(m: Pick<ChatMessage, 'from' | 'venue'>, lang: Lang): string {
  return lang === 'zh' ? `${m.from}（${m.venue}）` : `${m.from} (${m.venue})`;
}

/** The text to send, or null when there is nothing to send. */
export function chatDraft(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}
