// Fuzz episodes against a running relay, one raw WebSocket each: garbage from outside any session, garbage and
// bad SDP from joined hosts and viewers, peers that vanish mid-handshake, floods, oversize frames, crowds.
// Every frame's answer is checked (fuzz-oracle.ts); a wrong answer throws with the seed's context.
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { clientPeerConfig } from '../../src/relay/media-config.js';
import { localSdp } from '../../src/relay/negotiation.js';
import { DOC_TYPES, docEntries } from './fuzz-docs.js';
import { garbageSdp, objectText, paddedPing, unjoinedFrame, validEntries, type MessageContext } from './fuzz-messages.js';
import { check, checkRef, classify, expectedReplies, keyOf, Tally, type ConnectionState } from './fuzz-oracle.js';
import type { Rng } from './fuzz-rng.js';
import { FuzzSocket, unsolicited, type Frame, type Inbound } from './fuzz-socket.js';

export interface FuzzTarget {
  readonly url: string;
  readonly ca: string;
  /** The fuzzed session's invite code and host key. */
  readonly code: string;
  readonly hostKey: string;
  /** A real publishing offer from a werift peer (the base of garbage SDPs). */
  readonly offer: string;
  readonly tally: Tally;
  /**
   * Loopback addresses the fuzz connects from (Linux routes all of 127.0.0.0/8 to lo): the relay rate-limits failed
   * joins per address, so `outside` (only ever wrong codes) must not be the address that joins (`inside`) nor the
   * observer's and final clients' 127.0.0.1.
   */
  readonly from: { readonly outside: string; readonly inside: string; readonly floods: string };
}

export type Episode = (rng: Rng, t: FuzzTarget, id: string) => Promise<void>;

const open = (t: FuzzTarget, from: string) => FuzzSocket.open({ url: t.url, ca: t.ca, from });

function wrongCode(rng: Rng, t: FuzzTarget): () => string {
  const real = t.code.replace(/[^0-9]/g, '');
  return () => {
    for (;;) {
      const digits = String(rng.int(1e9)).padStart(9, '0');
      if (digits !== real) return rng.chance(0.5) ? digits : `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
    }
  };
}

/** Send one frame and read exactly the events one of the `allowed` sequences needs. */
async function lockstep(s: FuzzSocket, frame: Frame, allowed: string[][], context: string, tally: Tally): Promise<void> {
  s.send(frame);
  tally.generated++;
  const events: Inbound[] = [];
  try {
    for (let i = 0; i < allowed[0]!.length; i++) events.push(await s.next(context, { skip: unsolicited }));
  } catch (err) {
    const soFar = events.map(keyOf).join(', ');
    throw new Error(`${context}: relay answered [${soFar}] and then nothing; expected ${allowed.map((a) => `[${a.join(', ')}]`).join(' or ')}`, { cause: err });
  }
  const got = events.map(keyOf);
  for (const k of got) tally.count(k);
  check(got, allowed, context);
  for (const e of events) checkRef(e, frame, context);
}

let barrierSeq = 0;
/** Send `frame` followed by a ping; everything the relay answers before that ping's pong must be `allowed`. */
async function stepWithBarrier(s: FuzzSocket, frame: Frame, allowed: string[][], context: string, tally: Tally): Promise<string[]> {
  s.send(frame);
  tally.generated++;
  const t = 7e15 + ++barrierSeq;
  s.json({ type: 'ping', t });
  const got: string[] = [];
  for (;;) {
    const e = await s.next(context, { skip: unsolicited });
    if (e.type === 'message' && e.message.type === 'pong' && e.message.t === t) break;
    checkRef(e, frame, context);
    got.push(keyOf(e));
    if (e.type === 'close') break;
  }
  for (const k of got) tally.count(k);
  check(got, allowed, context);
  return got;
}

/** A socket that never joins: up to `frames` random frames, each answered as the protocol says. */
export function outsider(frames: number): Episode {
  return async (rng, t, id) => {
    const s = await open(t, t.from.outside);
    const ctx: MessageContext = { joinCode: wrongCode(rng, t), offer: t.offer };
    const st: ConnectionState = { bad: 0, joined: false, canPublish: false, host: false };
    try {
      for (let i = 0; i < frames && s.open; i++) {
        const frame = unjoinedFrame(rng, ctx);
        await lockstep(s, frame, expectedReplies(frame, st), `${id} frame ${i} (${frame.what})`, t.tally);
      }
      if (rng.chance(0.5)) s.terminate();
      else s.close();
    } finally {
      t.tally.absorb(s, id);
    }
  };
}

/** Join (as host or viewer), then a dozen requests — mostly bad SDP — each checked behind a barrier ping. */
export function insider(steps: number): Episode {
  return async (rng, t, id) => {
    const s = await open(t, t.from.inside);
    const host = rng.chance(0.6);
    const ctx: MessageContext = { joinCode: () => t.code, offer: t.offer };
    const st: ConnectionState = { bad: 0, joined: true, canPublish: host, host };
    try {
      s.json({ type: 'join', code: t.code, name: `fuzz ${id}`, venue: `会场 ${id}`, ...(host ? { hostKey: t.hostKey } : {}) });
      const joined = await s.expect('joined', `${id} join`);
      if (joined.role !== (host ? 'host' : 'viewer')) throw new Error(`${id}: joined as ${joined.role}`);
      for (let i = 0; i < steps && s.open; i++) {
        const step = rng.weighted([[5, 'garbagePublish'], [1, 'realPublish'], [2, 'staleAnswer'], [2, 'garbageAnswer'], [2, 'takeSeat'],
          [1, 'leaveSeat'], [1, 'unpublish'], [1, 'mute'], [1, 'joinAgain'], [4, 'fuzz'], [5, 'doc']] as const);
        let frame: Frame;
        let hint: 'validOffer' | undefined;
        if (step === 'garbagePublish') {
          const g = garbageSdp(rng, t.offer);
          frame = { kind: 'text', text: JSON.stringify({ type: 'publish', sdp: g.sdp }), what: `publish ${g.what}` };
        } else if (step === 'realPublish') {
          frame = { kind: 'text', text: JSON.stringify({ type: 'publish', sdp: t.offer }), what: 'publish a real offer' };
          hint = 'validOffer';
        } else if (step === 'staleAnswer') {
          const version = rng.pick([(s.lastOfferVersion ?? 0) + rng.range(1, 1000), -1, 1.5, 2 ** 53, '1']);
          frame = { kind: 'text', text: JSON.stringify({ type: 'subscribeAnswer', sdp: t.offer, version }), what: `subscribeAnswer version ${version}` };
        } else if (step === 'garbageAnswer') {
          const g = garbageSdp(rng, s.lastOfferSdp ?? t.offer);
          frame = { kind: 'text', text: JSON.stringify({ type: 'subscribeAnswer', sdp: g.sdp, version: s.lastOfferVersion ?? 1 }), what: `subscribeAnswer ${g.what}` };
        } else if (step === 'fuzz') {
          frame = unjoinedFrame(rng, ctx);
        } else if (step === 'doc') {
          // Shared documents: real updates and cursors, random bytes as base64, bad names, pieces never finished.
          const type = rng.pick(DOC_TYPES);
          frame = { kind: 'text', text: objectText(docEntries(rng, type)), what: type };
        } else {
          const type = ({ takeSeat: 'takeSeat', leaveSeat: 'leaveSeat', unpublish: 'unpublish', mute: 'mute', joinAgain: 'join' } as const)[step];
          frame = { kind: 'text', text: objectText(validEntries(rng, ctx, type)), what: type };
        }
        const got = await stepWithBarrier(s, frame, expectedReplies(frame, st, hint), `${id} step ${i} (${frame.what})`, t.tally);
        const c = classify(frame);
        if (got.includes('seat')) st.canPublish = true;
        if (c.kind === 'ok' && c.message.type === 'leaveSeat' && !host) st.canPublish = false;
      }
      const end = rng.pick(['leave', 'close', 'terminate'] as const);
      if (end === 'leave' && s.open) {
        s.json({ type: 'leave' });
        const code = await s.closed(`${id} leave`);
        if (code !== 1000) throw new Error(`${id}: leave closed with ${code}, expected 1000`);
      } else if (end === 'close') s.close();
      else s.terminate();
    } finally {
      t.tally.absorb(s, id);
    }
  };
}

/** A werift peer's answer to the relay's subscribe offer, or a publishing offer with real ICE credentials. */
async function weriftSdp(role: 'answer' | 'offer', offer?: string): Promise<{ sdp: string; pc: RTCPeerConnection }> {
  const pc = new RTCPeerConnection(clientPeerConfig('127.0.0.1'));
  if (role === 'answer') {
    await pc.setRemoteDescription({ type: 'offer', sdp: offer! });
    await pc.setLocalDescription(await pc.createAnswer());
  } else {
    pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
  }
  return { sdp: await localSdp(pc), pc };
}

/** Join, get some way into the handshake, then drop the connection without a word. */
export const vanisher: Episode = async (rng, t, id) => {
  const s = await open(t, t.from.inside);
  const host = rng.chance(0.5);
  const stage = rng.pick([
    'afterJoinSent', 'afterJoined', 'afterOffer', 'afterAnswer', 'midFragment',
    ...(host ? (['midPublish', 'afterPublishAnswer', 'midConnect'] as const) : []),
  ] as const);
  const pcs: RTCPeerConnection[] = [];
  try {
    s.json({ type: 'join', code: t.code, name: `vanish ${id}`, venue: stage, ...(host ? { hostKey: t.hostKey } : {}) });
    if (stage !== 'afterJoinSent') await s.expect('joined', `${id} join`);
    if (stage === 'afterOffer' || stage === 'afterAnswer') {
      const offer = await s.expect('subscribeOffer', `${id} subscribe offer`);
      if (stage === 'afterAnswer') {
        const a = await weriftSdp('answer', offer.sdp);
        pcs.push(a.pc);
        s.json({ type: 'subscribeAnswer', sdp: a.sdp, version: offer.version });
      }
    }
    if (stage === 'midPublish' || stage === 'afterPublishAnswer' || stage === 'midConnect') {
      const o = stage === 'midConnect' ? await weriftSdp('offer') : { sdp: t.offer, pc: undefined };
      if (o.pc) pcs.push(o.pc);
      s.json({ type: 'publish', sdp: o.sdp });
      if (stage !== 'midPublish') {
        const answer = await s.expect('publishAnswer', `${id} publish`);
        if (o.pc) await o.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      }
    }
    if (stage === 'midFragment') s.send({ kind: 'text', text: '{"type":"publish","sdp":"v=0', what: 'first fragment' }, { fin: false });
    s.terminate();
    t.tally.count(`vanished:${stage}`);
  } finally {
    for (const pc of pcs) await pc.close();
    t.tally.absorb(s, id);
  }
};

/** Frames as fast as the socket takes them: the relay must close this socket (1008) and only this one. */
export function flooder(count: number): Episode {
  return async (rng, t, id) => {
    const kind = rng.pick(['ping', 'garbage', 'mute'] as const);
    const s = await open(t, kind === 'mute' ? t.from.inside : t.from.floods);
    try {
      if (kind === 'mute') {
        s.json({ type: 'join', code: t.code, name: `flood ${id}`, venue: 'flood' });
        await s.expect('joined', `${id} join`);
      }
      for (let i = 0; i < count && s.open; i++) {
        if (kind === 'ping') s.json({ type: 'ping', t: i });
        else if (kind === 'mute') s.json({ type: 'mute', kind: 'audio', muted: i % 2 === 0 });
        else s.send({ kind: 'text', text: JSON.stringify(rng.pick(['x', '{}', '[]', '{"type":"nope"}', 'null'])) ?? 'null', what: 'flood' });
      }
      const code = await s.closed(`${id} ${kind} flood`);
      t.tally.count(`flood:${kind}:close:${code}`);
      if (code !== 1008) throw new Error(`${id}: a ${kind} flood was closed with ${code}, expected 1008`);
    } finally {
      t.tally.absorb(s, id);
    }
  };
}

/** Frames at and around 64 KiB: exactly 64 KiB is answered, anything larger closes the socket with 1009. */
export const oversize: Episode = async (rng, t, id) => {
  const s = await open(t, t.from.outside);
  try {
    const st: ConnectionState = { bad: 0, joined: false, canPublish: false, host: false };
    const at = { kind: 'text', text: paddedPing(65_536), what: 'ping of exactly 64 KiB' } as const;
    await lockstep(s, at, expectedReplies(at, st), `${id} ${at.what}`, t.tally);
    const big = rng.pick<Frame>([
      { kind: 'text', text: paddedPing(65_537), what: 'text of 64 KiB + 1' },
      { kind: 'text', text: 'x'.repeat(4 * 1024 * 1024), what: 'text of 4 MiB' },
      { kind: 'binary', data: rng.bytes(65_537), what: 'binary of 64 KiB + 1' },
      { kind: 'rawText', data: Buffer.from(paddedPing(100_000)), what: 'raw text of 100 kB' },
    ]);
    const fragmented = rng.chance(0.3);
    if (fragmented) {
      // Fragments that are small alone but add up to more than 64 KiB.
      s.send({ kind: 'text', text: 'x'.repeat(40_000), what: 'fragment 1' }, { fin: false });
      s.send({ kind: 'text', text: 'x'.repeat(40_000), what: 'fragment 2' }, { fin: true });
      t.tally.count('fragmented-oversize');
    } else s.send(big);
    const code = await s.closed(`${id} ${fragmented ? 'two fragments of 40 000 bytes' : big.what}`);
    t.tally.count(`close:${code}`);
    if (code !== 1009) throw new Error(`${id}: an oversize frame was closed with ${code}, expected 1009`);
  } finally {
    t.tally.absorb(s, id);
  }
};

/** Run episodes `width` at a time, each with its own forked generator; the first failure rejects. */
export async function runEpisodes(rng: Rng, t: FuzzTarget, episodes: readonly (readonly [string, Episode])[], width: number): Promise<void> {
  const jobs = episodes.map(([id, e]) => ({ id, e, rng: rng.fork() }));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await job.e(job.rng, t, job.id);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}
