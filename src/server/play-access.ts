// Who may watch a recording in the browser, and as whom: the recording's link (`?t=`, an HMAC of the id under
// the admin token) or a teacher's personal link of a watch assignment of that recording (`?a=`, a random token
// whose sha256 the assignment keeps). Anything else — no token, a wrong one, an unknown id — is LINK_INVALID.
import { createHmac } from 'node:crypto';
import { RefusedError } from '../core/errors.js';
import { hashSecret, sameSecret } from '../core/secrets.js';
import type { Assignee, Assignment, AssignmentStore } from '../store/assignment-store.js';
import type { Recording, RecordingCatalogue } from '../store/recording-catalogue.js';

export function linkToken(secret: string, recordingId: string): string {
  return createHmac('sha256', secret).update(`play:${recordingId}`).digest('base64url');
}

export type PlayAccess =
  | { readonly kind: 'link'; readonly token: string }
  | { readonly kind: 'personal'; readonly token: string; readonly assignment: Assignment; readonly assignee: Assignee };

export interface PlayAccessDeps {
  readonly catalogue: RecordingCatalogue;
  readonly assignments: AssignmentStore;
  /** The admin token: the key of link tokens. */
  readonly secret: string;
}

/** The recording and the credential of a `/play` or `/media` request; throws LINK_INVALID. */
export function playAccess(url: URL, recordingId: string, deps: PlayAccessDeps): { rec: Recording; access: PlayAccess } {
  const rec = deps.catalogue.get(recordingId);
  // Unknown id and wrong token look the same: a link either works or it does not.
  if (!rec) throw new RefusedError('LINK_INVALID');
  const personal = url.searchParams.get('a');
  if (personal !== null) {
    const found = deps.assignments.byToken(recordingId, personal);
    if (!found) throw new RefusedError('LINK_INVALID');
    return { rec, access: { kind: 'personal', token: personal, ...found } };
  }
  const token = url.searchParams.get('t') ?? '';
  if (!sameSecret(token, linkToken(deps.secret, recordingId))) throw new RefusedError('LINK_INVALID');
  return { rec, access: { kind: 'link', token } };
}

/** The query string that carries the same credential (for the page's media and API URLs). */
export function accessQuery(access: PlayAccess): string {
  return `?${access.kind === 'personal' ? 'a' : 't'}=${encodeURIComponent(access.token)}`;
}

/** A key naming the credential without revealing it (for rate limits). */
export function accessKey(access: PlayAccess): string {
  return `${access.kind}:${hashSecret(access.token)}`;
}

/** Who writes through this credential: the assignee's name, or "link". */
export function accessAuthor(access: PlayAccess): string {
  return access.kind === 'personal' ? access.assignee.name : 'link';
}
