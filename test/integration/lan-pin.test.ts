// A relay found on the LAN is trusted through the CA fingerprint it announced: the relay serves its CA at /ca.pem,
// and the client takes it only when the SHA-256 matches — not another relay's CA under a copied pin.
import { describe, expect, it } from 'vitest';
import { pinnedTarget } from '../../src/client/lan-relay.js';
import { relayRequest } from '../../src/client/relay-target.js';
import { JiaoyanError } from '../../src/core/errors.js';
import { caFingerprint } from '../../src/core/lan-service.js';
import { createSession, relayFixture } from '../helpers/relay.js';

const { relay } = relayFixture();

describe('pinning the CA of a relay found on the LAN', () => {
  it('fetches /ca.pem, accepts it when it matches the announced fingerprint, and reaches the relay with it', async () => {
    const r = await relay();
    const target = await pinnedTarget({ name: 'school-pc (1)', url: r.running.url, caFingerprint: caFingerprint(r.ca), address: '127.0.0.1' });
    expect(target).toEqual({ url: r.running.url, ca: r.ca });
    const s = await createSession(r);
    const code = s.code.replace(/-/g, '');
    await expect(relayRequest(target, 'GET', `/api/join/${code}`)).resolves.toMatchObject({ title: expect.any(String) });
  });

  it('refuses a relay whose CA is not the one announced (LAN_CA_MISMATCH)', async () => {
    const [school, other] = await Promise.all([relay(), relay()]);
    // A neighbour announces the other relay's URL under the school relay's pin.
    const err = await pinnedTarget({ name: 'forged', url: other.running.url, caFingerprint: caFingerprint(school.ca), address: '127.0.0.1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JiaoyanError);
    expect((err as JiaoyanError).code).toBe('LAN_CA_MISMATCH');
    expect((err as JiaoyanError).localised()).toContain(other.running.url);
  });

  it('takes no CA from a relay that announced none (system trust decides)', async () => {
    const r = await relay();
    await expect(pinnedTarget({ name: 'x', url: r.running.url, address: '127.0.0.1' })).resolves.toEqual({ url: r.running.url });
  });
});
