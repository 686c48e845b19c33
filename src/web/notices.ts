// Voice notices as the page handles them: the relay's addresses for them (member token in `?m=` for an <audio>
// element), how a line reads, the recorder format, and merging the list with new ones. Pure: no DOM.
import type { VoiceNotice } from '../signaling/protocol.js';

/** Longest notice the page records (the relay refuses longer ones): the recorder stops itself here. */
export const NOTICE_MAX_SECONDS = 60;

/** Where notices are added (POST, member token in the `X-Jiaoyan-Member` header). */
export function noticesUrl(sessionId: string): string {
  return `/api/sessions/${encodeURIComponent(sessionId)}/notices`;
}

/** A notice's audio for an <audio> element: the member token rides in `?m=` (elements cannot send headers). */
export function noticeAudioUrl(sessionId: string, id: string, token: string): string {
  return `${noticesUrl(sessionId)}/${encodeURIComponent(id)}?m=${encodeURIComponent(token)}`;
}

/** Seconds as m:ss (a 59.6 s notice reads 1:00). */
export function noticeLength(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The first recorder format the browser supports (Opus in WebM: Chromium; in Ogg: Firefox), or '' for its default. */
export function recorderType(isTypeSupported: (type: string) => boolean): string {
  return ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/ogg'].find((type) => isTypeSupported(type)) ?? '';
}

/** `list` with `added` appended unless already there (a notice can come both as the answer and as `notice`). */
export function withNotice(list: readonly VoiceNotice[], added: VoiceNotice): VoiceNotice[] {
  return list.some((n) => n.id === added.id) ? [...list] : [...list, added];
}
