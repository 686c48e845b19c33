// What to tell the person when publishing fails: no camera API (an insecure page), the camera or microphone
// refused (before any connection), or the connection itself.
import type { Notice } from './client-types.js';
import { MediaUnavailableError } from './media.js';

export function publishFailureNotice(err: unknown, connecting: boolean): Notice {
  const detail = err instanceof Error ? err.name : String(err);
  if (err instanceof MediaUnavailableError) return { key: 'media_insecure' };
  if (err instanceof DOMException && !connecting) return { key: 'media_failed', params: { detail } };
  return { key: 'publish_failed', params: { detail } };
}
