// The relay's DNS-SD records: what the announcer sends survives dns-packet's encoding and reads back as the relay;
// what strangers send is skipped, never thrown.
import { createHash, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  answerQuestions, caFingerprint, normaliseFingerprint, parseTxt, readResponse, relayNames, relayRecords, SERVICE, type RelayAd,
} from '../../src/core/lan-service.js';
import { createCa } from '../../src/server/tls-issue.js';

const require = createRequire(import.meta.url);
const packet = createRequire(require.resolve('multicast-dns'))('dns-packet') as typeof import('dns-packet');

const PIN = 'ab'.repeat(32);
const ad: RelayAd = {
  instance: 'school-pc (8443)',
  host: 'school-pc-jiaoyan.local',
  port: 8443,
  url: 'https://192.168.1.20:8443',
  addresses: ['192.168.1.20'],
  caFingerprint: PIN,
};

/** Encode and decode, as it crosses the network. */
function wire(p: Parameters<typeof packet.encode>[0]): unknown {
  return packet.decode(packet.encode(p));
}

function response(records: { answers: unknown[]; additionals: unknown[] }) {
  return wire({ type: 'response', ...records } as Parameters<typeof packet.encode>[0]);
}

describe('relay records', () => {
  it('announce PTR, SRV, TXT and A, and read back as the relay', () => {
    const decoded = response(relayRecords(ad)) as { answers: { type: string }[]; additionals: { type: string; flush: boolean }[] };
    expect(decoded.answers.map((r) => r.type)).toEqual(['PTR']);
    expect(decoded.additionals.map((r) => [r.type, r.flush])).toEqual([['SRV', true], ['TXT', true], ['A', true]]);
    expect(readResponse(decoded, '192.168.1.99')).toEqual({
      found: [{ name: 'school-pc (8443)', url: 'https://192.168.1.20:8443', caFingerprint: PIN, address: '192.168.1.20' }],
      gone: [],
    });
  });

  it('carry url, v and ca in the TXT record', () => {
    const txt = relayRecords(ad).additionals.find((r) => r.type === 'TXT');
    expect(txt?.data).toEqual(['v=1', 'url=https://192.168.1.20:8443', `ca=${PIN}`]);
    const { caFingerprint: _, ...noCa } = ad;
    expect(relayRecords(noCa).additionals.find((r) => r.type === 'TXT')?.data).toEqual(['v=1', 'url=https://192.168.1.20:8443']);
  });

  it('say goodbye with TTL 0, which reads as the relay gone', () => {
    const bye = relayRecords(ad, { goodbye: true });
    expect([...bye.answers, ...bye.additionals].every((r) => (r as { ttl?: number }).ttl === 0)).toBe(true);
    expect(readResponse(response(bye), '192.168.1.20')).toEqual({ found: [], gone: ['school-pc (8443)'] });
  });

  it('use the sender address when there is no A record', () => {
    const { answers, additionals } = relayRecords({ ...ad, addresses: [] });
    expect(readResponse(response({ answers, additionals }), '10.0.0.7').found[0]?.address).toBe('10.0.0.7');
  });
});

describe('answering queries', () => {
  const ask = (name: string, type: string) => answerQuestions(ad, [{ name, type, class: 'IN' }]);

  it('answers the service type (PTR or ANY, any case) with the whole set', () => {
    expect(ask(SERVICE, 'PTR')?.answers[0]).toMatchObject({ type: 'PTR', data: `school-pc (8443).${SERVICE}` });
    expect(ask('_JIAOYAN._tcp.LOCAL', 'ANY')?.additionals.map((r) => r.type)).toEqual(['SRV', 'TXT', 'A']);
  });

  it('answers the instance with SRV and TXT, the host with A, the enumeration with the type', () => {
    expect(ask(`school-pc (8443).${SERVICE}`, 'SRV')?.answers.map((r) => r.type)).toEqual(['SRV', 'TXT']);
    expect(ask('school-pc-jiaoyan.local', 'A')?.answers).toEqual([expect.objectContaining({ type: 'A', data: '192.168.1.20' })]);
    expect(ask('_services._dns-sd._udp.local', 'PTR')?.answers[0]).toMatchObject({ type: 'PTR', data: SERVICE });
  });

  it('keeps quiet about other names, and about garbage', () => {
    expect(ask('_http._tcp.local', 'PTR')).toBeUndefined();
    expect(ask(SERVICE, 'TXT')).toBeUndefined();
    for (const junk of [undefined, null, 'PTR', 42, [null, 1, 'x', { name: 7, type: 'PTR' }], { length: 1 }]) {
      expect(answerQuestions(ad, junk)).toBeUndefined();
    }
  });

  it('caps TTLs for legacy unicast queriers and repeats the question', () => {
    const a = answerQuestions(ad, [{ name: SERVICE, type: 'PTR' }], 10);
    expect(a?.question).toEqual({ name: SERVICE, type: 'PTR' });
    expect([...a!.answers, ...a!.additionals].every((r) => ((r as { ttl?: number }).ttl ?? 0) <= 10)).toBe(true);
  });
});

describe('reading answers off the network', () => {
  const forged = (txt: unknown, instance = 'x') => ({
    answers: [{ name: SERVICE, type: 'PTR', ttl: 120, data: `${instance}.${SERVICE}` }],
    additionals: [{ name: `${instance}.${SERVICE}`, type: 'TXT', ttl: 120, data: txt }],
  });

  it('skips announcements that are not usable', () => {
    for (const txt of [
      ['v=1', 'url=javascript:alert(1)'],
      ['v=1', 'url=ftp://10.0.0.1/'],
      ['v=1', 'url=https://u:p@10.0.0.1:1'],
      ['v=2', 'url=https://10.0.0.1:1'],
      ['url=https://10.0.0.1:1'],
      ['v=1', 'url=https://10.0.0.1:1', 'ca=zz'],
      ['v=1', `url=https://${'a'.repeat(220)}.local:1`],
      [Buffer.from([0xff, 0x00, 0x3d])],
    ]) {
      expect(readResponse(response(forged(txt.map((s) => (typeof s === 'string' ? Buffer.from(s) : s)))), '10.0.0.1').found, String(txt)).toEqual([]);
    }
    expect(readResponse(response(forged([Buffer.from('v=1'), Buffer.from('url=https://10.0.0.1:1')], '')), '10.0.0.1').found).toEqual([]);
  });

  it('never throws on shapes dns-packet would not produce', () => {
    for (const junk of [undefined, null, 7, 'x', [], { answers: 'x' }, { answers: [null, 1, { type: 'PTR', name: SERVICE, data: 5 }] },
      { answers: [{ type: 'PTR', name: SERVICE, data: `a.${SERVICE}` }], additionals: [{ type: 'TXT', name: `a.${SERVICE}`, data: { v: 1 } }, { type: 'SRV', name: `a.${SERVICE}`, data: null }] }]) {
      expect(readResponse(junk, '10.0.0.1')).toEqual({ found: [], gone: [] });
    }
  });

  it('reads TXT keys case-insensitively, the first of each winning', () => {
    expect(Object.fromEntries(parseTxt([Buffer.from('URL=a'), Buffer.from('url=b'), Buffer.from('flag'), Buffer.from('=x')]))).toEqual({ url: 'a', flag: '' });
  });
});

describe('names and fingerprints', () => {
  it('make one DNS label of the host name, without dots, at most 63 bytes', () => {
    expect(relayNames('school-pc.lan', 8443)).toEqual({ instance: 'school-pc (8443)', host: 'school-pc-jiaoyan.local' });
    const long = relayNames('教研'.repeat(40), 8443);
    expect(Buffer.byteLength(long.instance)).toBeLessThanOrEqual(63);
    expect(long.host).toBe('relay-jiaoyan.local');
    expect(relayNames('', 1).instance).toBe('jiaoyan (1)');
  });

  it('fingerprint the CA as SHA-256 of its DER, the same as X509Certificate says', () => {
    const { certPem } = createCa('school-pc', new Date());
    const x = new X509Certificate(certPem);
    expect(caFingerprint(certPem)).toBe(createHash('sha256').update(x.raw).digest('hex'));
    expect(normaliseFingerprint(x.fingerprint256)).toBe(caFingerprint(certPem));
    expect(normaliseFingerprint('abc')).toBeUndefined();
  });
});
