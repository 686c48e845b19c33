// Voice notices over the relay's HTTPS side, as the CLI sends and fetches them: the member token of a live
// connection (`joined.memberToken`) in `X-Jiaoyan-Member`; refusals become the usual error classes (exit 4).
import { stat, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { extname } from 'node:path';
import { AbortedError, EnvironmentError, RuntimeError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import type { VoiceNotice } from '../signaling/protocol.js';
import { answerError, relayExchange, type RelayAnswer, type RelayTarget } from './relay-target.js';

/** The relay's cap on a notice upload (checked here first: no need to send what it refuses). */
export const MAX_NOTICE_UPLOAD_BYTES = 2 * 1024 * 1024;
const MEMBER_HEADER = 'X-Jiaoyan-Member';
/** An upload waits this long for the relay's answer (it probes, and may transcode). */
const UPLOAD_TIMEOUT_MS = 60_000;

const TYPES: Record<string, string> = {
  '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.opus': 'audio/ogg', '.webm': 'audio/webm', '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav', '.m4a': 'audio/mp4', '.aac': 'audio/aac', '.flac': 'audio/flac',
};

const noticesPath = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}/notices`;

/** Send an audio file as a new voice notice of the session; the relay checks and stores it. */
export async function uploadNotice(relay: RelayTarget, sessionId: string, memberToken: string, file: string, signal?: AbortSignal): Promise<VoiceNotice> {
  const size = await stat(file).then((s) => (s.isFile() ? s.size : -1), () => -1);
  if (size < 0) throw new RuntimeError('INPUT_MISSING', { path: file });
  if (size > MAX_NOTICE_UPLOAD_BYTES) throw new UsageError('NOTICE_TOO_LARGE', { max: '2 MiB' });
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const target = { url: relay.url, ...(relay.ca ? { ca: relay.ca } : {}) };
  const a = await relayExchange(target, 'POST', noticesPath(sessionId), { data: await readFile(file), type }, {
    timeoutMs: UPLOAD_TIMEOUT_MS, headers: { [MEMBER_HEADER]: memberToken }, ...(signal ? { signal } : {}),
  });
  if (a.status !== 201) throw answerError(target, a);
  return a.json as unknown as VoiceNotice;
}

/** Fetch a notice's file, byte for byte, into `output` (written atomically); resolves with its size. */
export async function downloadNotice(relay: RelayTarget, sessionId: string, memberToken: string, id: string, output: string, signal?: AbortSignal): Promise<number> {
  const url = new URL(`${noticesPath(sessionId)}/${encodeURIComponent(id)}`, relay.url);
  const send = url.protocol === 'https:' ? request : httpRequest;
  if (signal?.aborted) throw new AbortedError();
  const { status, body } = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const req = send(url, { method: 'GET', headers: { [MEMBER_HEADER]: memberToken }, timeout: 15_000, ...(relay.ca ? { ca: relay.ca } : {}), ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new EnvironmentError('RELAY_UNREACHABLE', { url: relay.url, detail: err.message })));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(signal?.aborted ? new AbortedError() : new EnvironmentError('RELAY_UNREACHABLE', { url: relay.url, detail: err.message })));
    req.end();
  });
  if (status !== 200) {
    let json: RelayAnswer['json'] = {};
    try {
      json = JSON.parse(body.toString('utf8') || '{}') as RelayAnswer['json'];
    } catch {
      json = {};
    }
    throw answerError({ url: relay.url }, { status, json });
  }
  await writeFileAtomic(output, body);
  return body.length;
}
