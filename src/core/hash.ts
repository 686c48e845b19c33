// SHA-256 of a file, streamed (recordings run to gigabytes): what an upload is verified with at both ends.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The file's SHA-256, hex. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, signal ? { signal } : {})) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
