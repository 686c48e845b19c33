// Shared-document messages for the relay fuzz test: valid names and bad ones, real Yjs updates and awareness
// updates, base64 of random bytes (decodes, but is no update), chunk pieces (`more`) that are never finished.
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import type { Rng } from './fuzz-rng.js';

export const DOC_TYPES = ['docOpen', 'docUpdate', 'docAwareness', 'docClose', 'docHistory', 'docRevision'] as const;
export type DocType = (typeof DOC_TYPES)[number];

const NAMES = ['plan', 'plan', 'summary', 'notes-1', 'Plan', 'bad name', '-x', 'a'.repeat(33), '计划', ''];

function name(rng: Rng): string {
  return rng.pick(NAMES) || 'plan';
}

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

/** A real small update: some (Chinese) text inserted by a fresh client. */
function realUpdate(rng: Rng): string {
  const d = new Y.Doc();
  d.getText('text').insert(0, rng.pick(['教学计划', 'step 1\n', '## 小结\n', 'x'.repeat(rng.int(200))]));
  const u = Y.encodeStateAsUpdate(d);
  d.destroy();
  return b64(u);
}

function realAwareness(rng: Rng): string {
  const d = new Y.Doc();
  const a = new Awareness(d);
  a.setLocalStateField('user', { name: rng.pick(['张老师', 'fuzz']), color: '#aa0000' });
  const u = encodeAwarenessUpdate(a, [d.clientID]);
  a.destroy();
  d.destroy();
  return b64(u);
}

export function docEntries(rng: Rng, type: DocType): [string, unknown][] {
  const doc = name(rng);
  switch (type) {
    case 'docOpen':
      return [['type', type], ['doc', doc], ['sv', rng.pick(['', 'AA==', b64(rng.bytes(rng.int(40)))])]];
    case 'docUpdate': {
      const update = rng.chance(0.5) ? realUpdate(rng) : b64(rng.bytes(rng.int(300)));
      return [['type', type], ['doc', doc], ['update', update], ...(rng.chance(0.2) ? [['more', true] as [string, unknown]] : [])];
    }
    case 'docAwareness':
      return [['type', type], ['doc', doc], ['update', rng.chance(0.5) ? realAwareness(rng) : b64(rng.bytes(rng.int(300)))]];
    case 'docRevision':
      return [['type', type], ['doc', doc], ['rev', rng.int(4)]];
    default:
      return [['type', type], ['doc', doc]];
  }
}
