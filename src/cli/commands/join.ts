// `jiaoyan join <url|code>`: a headless participant — watch, publish a file (--publish), record what the main
// venue shows (--record), for --duration seconds or until Ctrl-C. Streams NDJSON events with --json.
import { resolve } from 'node:path';
import { MediaStreamTrack } from 'werift';
import { AbortedError, JiaoyanError, RuntimeError, UsageError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import { hostname } from 'node:os';
import { ParticipantClient, type ReceivedTrack } from '../../client/participant-client.js';
import { resolveRelay } from '../../client/relay-target.js';
import { relayFromLan } from '../../client/lan-relay.js';
import { MainVenueRecording } from '../../client/main-recording.js';
import { RtpSource } from '../../client/rtp-source.js';
import { parseJoinTarget } from '../session-link.js';
import type { CliContext } from '../context.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const target = parseJoinTarget(String(args[0]));
  const duration = opts.duration === undefined ? undefined : Number(opts.duration);
  if (duration !== undefined && !(duration > 0)) throw new UsageError('BAD_NUMBER', { flag: '--duration', what: '> 0', value: String(opts.duration) });
  const relayFlag = typeof opts.relay === 'string' ? opts.relay : target.relay;
  // No relay given and none started from this data dir: find the school's relay on the LAN (lan-relay.ts).
  const relay = await resolveRelay(ctx.dataDir, { ...(relayFlag ? { relay: relayFlag } : {}), ...(typeof opts.ca === 'string' ? { ca: opts.ca } : {}) })
    .catch((err: unknown) => {
      if (relayFlag || !(err instanceof JiaoyanError) || err.code !== 'RELAY_NOT_CONFIGURED') throw err;
      return relayFromLan(target.code, { signal: ctx.signal, say: (text) => ctx.out.info(text) });
    });
  const hostKey = typeof opts.hostKey === 'string' ? opts.hostKey : undefined;
  const videoCodec = String(opts.videoCodec ?? 'vp8');
  if (videoCodec !== 'vp8' && videoCodec !== 'h264') throw new UsageError('BAD_CHOICE', { flag: '--video-codec', choices: 'vp8, h264', value: videoCodec });
  const client = await ParticipantClient.connect({
    publishVideo: videoCodec,
    // The recorder writes VP8 WebM: a venue publishing H.264 is not forwarded to it.
    ...(typeof opts.record === 'string' ? { receiveVideo: 'vp8' as const } : {}),
    relay: relay.url, code: target.code,
    name: typeof opts.name === 'string' ? opts.name : `jiaoyan@${hostname()}`,
    venue: typeof opts.venue === 'string' ? opts.venue : hostname(),
    ...(hostKey ? { hostKey } : {}), ...(relay.ca ? { ca: relay.ca } : {}),
  });
  const cleanups: (() => void | Promise<void>)[] = [() => client.close()];
  try {
    ctx.out.event({ event: 'joined', peerId: client.joined.peerId, role: client.joined.role, session: client.joined.session },
      () => `joined "${client.joined.session.title}" as ${client.joined.role}`);
    const recordPath = typeof opts.record === 'string' ? resolve(opts.record) : undefined;
    const recording = recordPath ? new MainVenueRecording(recordPath, {
      requestKeyframes: () => client.requestKeyframes(),
      onResumed: (connection) => ctx.out.event({ event: 'recordingResumed', connection }, () => t('join_recording_resumed')),
      onError: (err) => ctx.out.info(String(err)),
    }) : undefined;
    if (recording) cleanups.push(() => recording.stop());
    const onTrack = (track: ReceivedTrack) => {
      ctx.out.event({ event: 'track', mid: track.mid, kind: track.kind, slot: track.slot, ...(track.peerId ? { peerId: track.peerId } : {}) }, () => `receiving ${track.kind} (${track.slot})`);
      recording?.onTrack(track);
    };
    client.eachTrack(onTrack);
    client.on('mutedByHost', (kind) => ctx.out.event({ event: 'mutedByHost', kind }, () => t('join_muted_by_host', { kind })));
    if (typeof opts.publish === 'string') {
      if (!hostKey) await seatOrHand(ctx, client);
      const audio = new MediaStreamTrack({ kind: 'audio' });
      const video = new MediaStreamTrack({ kind: 'video' });
      await client.publish({ audio, video });
      await client.publisherConnected();
      const source = await RtpSource.start({
        file: resolve(opts.publish), loop: !!opts.loop, videoCodec,
        onPacket: (kind, packet) => (kind === 'audio' ? audio : video).writeRtp(packet),
        onExit: () => ctx.out.event({ event: 'published', file: opts.publish }),
      });
      cleanups.push(() => source.close());
      client.on('seat', (granted) => {
        if (granted) return;
        // The host took the seat back: stop sending (the relay has closed the publishing connection).
        source.close();
        ctx.out.event({ event: 'seatRevoked' }, () => t('join_seat_revoked'));
      });
      ctx.out.event({ event: 'publishing', file: resolve(opts.publish) }, () => `publishing ${opts.publish}`);
    }
    const started = Date.now();
    const stats = setInterval(() => {
      const received = Object.fromEntries(client.received);
      ctx.out.event({ event: 'stats', elapsed: Math.round((Date.now() - started) / 100) / 10, received, mainVenue: client.lastState?.mainVenue ?? null });
    }, 1000);
    cleanups.push(() => clearInterval(stats));
    const reason = await new Promise<string>((done) => {
      const timer = duration ? setTimeout(() => done('duration'), duration * 1000) : undefined;
      cleanups.push(() => timer && clearTimeout(timer));
      ctx.signal.addEventListener('abort', () => done('interrupted'), { once: true });
      client.on('ended', (r) => done(`ended: ${r}`));
      client.on('closed', () => done('closed'));
    });
    clearInterval(stats);
    ctx.out.event({ event: 'left', reason, received: Object.fromEntries(client.received) }, () => `left (${reason})`);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

/**
 * Take a free seat; where the host grants seats, raise a hand and wait for the grant (or Ctrl-C).
 */
async function seatOrHand(ctx: CliContext, client: ParticipantClient): Promise<void> {
  try {
    await client.takeSeat();
    return;
  } catch (err) {
    if (!(err instanceof JiaoyanError) || err.code !== 'SEAT_BY_HOST') throw err;
  }
  const granted = new Promise<void>((resolve, reject) => {
    const onSeat = (g: boolean) => {
      if (!g) return;
      client.off('seat', onSeat);
      resolve();
    };
    client.on('seat', onSeat);
    ctx.signal.addEventListener('abort', () => reject(new AbortedError()), { once: true });
    client.once('closed', () => reject(new RuntimeError('JOIN_FAILED', { detail: 'connection closed' })));
  });
  client.send({ type: 'raiseHand', raised: true });
  ctx.out.event({ event: 'handRaised' }, () => t('join_hand_raised'));
  await granted;
  ctx.out.event({ event: 'seatGranted' }, () => t('join_seat_granted'));
}
