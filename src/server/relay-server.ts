// The composition root: one HTTPS port for the web client, WebSocket signaling, the admin API, /healthz and
// /metrics; the relay's state in lowdb; `startRelay(opts) → { url, close() }`.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EnvironmentError, RefusedError, type JiaoyanError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { logger } from '../core/log.js';
import { packageRoot } from '../core/paths.js';
import { hashSecret, randomSecret, sameSecret } from '../core/secrets.js';
import type { DocTiming } from '../relay/doc-room.js';
import { Relay } from '../relay/relay.js';
import { WS_CLOSE } from '../signaling/close-codes.js';
import { SignalingConnection, type JoinGate } from '../signaling/connection.js';
import { formatCode, MAX_MESSAGE_BYTES } from '../signaling/protocol.js';
import { ChatLog } from '../store/chat-log.js';
import { DocStore } from '../store/doc-store.js';
import { RecordingCatalogue } from '../store/recording-catalogue.js';
import { AssignmentStore } from '../store/assignment-store.js';
import { NoteStore } from '../store/note-store.js';
import { NoticeStore } from '../store/notice-store.js';
import { PlayerApi } from './player-api.js';
import { Recordings } from './recordings.js';
import { Upstream, type UpstreamOptions } from './upstream.js';
import { UploadTokens } from '../store/upload-tokens.js';
import { SessionStore, type StoredSession } from '../store/session-store.js';
import { ProcessLoad } from '../core/process-load.js';
import { handleApi } from './admin-api.js';
import { handlePlayback } from './playback.js';
import { handleNoticesApi, NoticeUploads } from './notices-api.js';
import { sendError, sendJson } from './http-errors.js';
import { createRelayMetrics } from './metrics.js';
import { FailureLimiter, MessageRateLimiter } from './rate-limit.js';
import { SessionKinds } from './session-kinds.js';
import { serveStatic } from './static-files.js';
import { ensureTls, loadGivenTls } from './tls.js';
import { announceRelay, reachableFromLan } from './lan-announce.js';

const log = logger('server');

export interface RelayOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly bind?: string;
  readonly tls?: 'auto' | 'off';
  readonly cert?: string;
  readonly key?: string;
  readonly rtcPorts?: [number, number];
  /** Stop recordings when the disk has less free space than this many MB (default 200). */
  readonly recordMinFreeMb?: number;
  /** Cascade: resolve unknown invite codes at this upstream relay and mirror its sessions (see upstream.ts). */
  readonly upstream?: UpstreamOptions;
  readonly publicIp?: string;
  /** Announce the relay on the LAN with mDNS (`_jiaoyan._tcp`; default true; never for a loopback --bind). */
  readonly announce?: boolean;
  /** When shared documents cut revisions by themselves (default: quiet 5 s, or 60 s of continuous editing). */
  readonly docTiming?: DocTiming;
}

export interface RunningRelay {
  readonly url: string;
  readonly port: number;
  readonly relay: Relay;
  /** The cascade's upstream side, when started with one. */
  readonly upstream?: Upstream;
  readonly caPath?: string;
  /** Ids of recordings a crash had left open, recovered at this start. */
  readonly recovered: readonly string[];
  close(): Promise<void>;
}

function firstLanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function isLocalAddress(ip: string): boolean {
  if (ip.startsWith('127.')) return true;
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === ip));
}

async function adminToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'admin-token');
  try {
    const t = (await readFile(path, 'utf8')).trim();
    if (t.length >= 22) return t;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomSecret(24);
  await writeFileAtomic(path, token + '\n', 0o600);
  return token;
}

function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export async function startRelay(opts: RelayOptions): Promise<RunningRelay> {
  const port = opts.port ?? 8443;
  const bind = opts.bind ?? '0.0.0.0';
  try {
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EnvironmentError('DATA_DIR_UNWRITABLE', { path: opts.dataDir, detail: (err as Error).message });
  }
  const token = await adminToken(opts.dataDir);
  const sessions = new SessionStore(opts.dataDir);
  await sessions.load();
  const kinds = new SessionKinds();
  const announce = opts.publicIp ?? (bind !== '0.0.0.0' && bind !== '::' ? bind : firstLanAddress() ?? '127.0.0.1');
  // Media sockets bind to the announced address, unless that is a public address of a NAT (--public-ip).
  const chatLog = new ChatLog(opts.dataDir);
  const docStore = new DocStore(opts.dataDir);
  const catalogue = new RecordingCatalogue(opts.dataDir);
  await catalogue.load();
  const assignments = new AssignmentStore(opts.dataDir);
  await assignments.load();
  const player = new PlayerApi({ assignments, notes: new NoteStore(opts.dataDir) });
  const notices = new NoticeStore(opts.dataDir);
  const noticeUploads = new NoticeUploads();
  // A recording that stops by itself (disk full, ffmpeg failed) is reported once the relay exists (below).
  let interrupted: (sessionId: string, recordingId: string, error: JiaoyanError) => void = () => undefined;
  const recordings = new Recordings(catalogue, {
    ...(opts.recordMinFreeMb !== undefined ? { minFreeBytes: opts.recordMinFreeMb * 1024 * 1024 } : {}),
    onInterrupted: (sessionId, recordingId, error) => interrupted(sessionId, recordingId, error),
  });
  /** Store writes made in the background (rundown steps): close() waits for them. */
  const writes = new Set<Promise<void>>();
  const background = (p: Promise<void>) => {
    writes.add(p);
    void p.finally(() => writes.delete(p));
  };
  const load = new ProcessLoad();
  const relay = new Relay({
    announceAddress: announce,
    bindAddress: opts.publicIp && !isLocalAddress(opts.publicIp) ? '0.0.0.0' : announce,
    ...(opts.rtcPorts ? { portRange: opts.rtcPorts } : {}),
  }, {
    chat: chatLog,
    docs: docStore,
    ...(opts.docTiming ? { docTiming: opts.docTiming } : {}),
    saveStep: (id, step) => background(sessions.setStep(id, step).catch((err: unknown) => log('saving the rundown step of %s failed: %O', id, err))),
    load: () => load.sample(),
    record: async (session, on, by) => {
      if (on) await recordings.start(session, by);
      else await recordings.stop(session.info.id, by);
      session.recording = recordings.isRecording(session.info.id);
    },
  });
  // Sessions started with --record record from their first join; seat files follow the seats.
  relay.observer.on('sessionOpened', (id) => {
    const stored = sessions.find(id);
    const live = relay.sessions.get(id);
    if (!stored?.record || !live) return;
    recordings.start(live, 'session --record').then(() => {
      live.recording = true;
      live.broadcastState();
    }, (err: unknown) => log('recording %s failed to start: %O', id, err));
  });
  relay.observer.on('sessionChanged', (id) => recordings.changed(id));
  interrupted = (sessionId, recordingId, error) => {
    relay.sessions.get(sessionId)?.recordingInterrupted(error);
    relay.observer.safeEmit('recordingInterrupted', sessionId, recordingId, error.code, error.localised());
  };
  // A crash may have left recordings open: stop their ffmpeg, make the files seekable, queue them for review.
  const recovered = await recordings.recover();
  if (recovered.length) log('recovered %d recording(s): %s', recovered.length, recovered.join(', '));
  const metrics = createRelayMetrics();
  metrics.bindRelay(relay);
  const limiter = new FailureLimiter({ max: 10, windowMs: 60_000 });
  const startedAt = Date.now();

  const upstream = opts.upstream ? new Upstream(opts.upstream, relay) : undefined;
  /** A code this relay does not know: a school relay asks its upstream (failures count against the asker here). */
  const resolveUpstream = async (code: string, ip: string, trusted: boolean) => {
    try {
      return await upstream!.resolve(code);
    } catch (err) {
      if (!trusted && err instanceof RefusedError && (err.code === 'CODE_UNKNOWN' || err.code === 'SESSION_ENDED')) limiter.fail(ip);
      throw err;
    }
  };
  /** The session of a code; failures count against the asking address unless it is a school relay with its token. */
  const lookup = (code: string, ip: string, trusted = false): StoredSession => {
    if (!trusted) limiter.assertAllowed(ip);
    const s = sessions.byCode(code);
    if (!s) {
      if (!trusted) limiter.fail(ip);
      throw new RefusedError('CODE_UNKNOWN', { code: formatCode(code) });
    }
    if (s.endedAt) {
      if (!trusted) limiter.fail(ip);
      throw new RefusedError('SESSION_ENDED', { code: formatCode(code) });
    }
    return s;
  };
  const schoolTokens = new UploadTokens(opts.dataDir);
  const gate: JoinGate = {
    lookup: (code, ip, trusted = false) => {
      if (!upstream || sessions.byCode(code)) return lookup(code, ip, trusted);
      if (!trusted) limiter.assertAllowed(ip);
      return resolveUpstream(code, ip, trusted);
    },
    relayTrusted: async (relayToken, ip) => {
      limiter.assertAllowed(ip);
      const good = sameSecret(relayToken, token) || (await schoolTokens.schoolOf(relayToken)) !== undefined;
      if (!good) limiter.fail(ip);
      return good;
    },
    isHostKey: (sessionId, key) => {
      const s = sessions.find(sessionId);
      return !!s && sameSecret(hashSecret(key), s.hostKeyHash);
    },
  };

  const tls = opts.tls === 'off' ? undefined : opts.cert && opts.key ? await loadGivenTls(opts.cert, opts.key) : await ensureTls(opts.dataDir);
  const scheme = tls ? 'https' : 'http';
  /** The relay's own CA (not with --cert/--key): served at /ca.pem, its fingerprint announced on the LAN. */
  const caPem = tls && 'ca' in tls && typeof tls.ca === 'string' ? tls.ca : undefined;
  let baseUrl = `${scheme}://${announce}:${port}`;
  const webRoot = join(packageRoot(), 'dist', 'web');

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const ip = clientIp(req);
    (async () => {
      if (path === '/ca.pem' && caPem) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file', 'cache-control': 'no-cache' });
        return void res.end(caPem);
      }
      if (path === '/healthz') return sendJson(res, 200, { ok: true, uptime: Math.round((Date.now() - startedAt) / 1000) });
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        return void res.end(metrics.render());
      }
      if (await handlePlayback(req, res, new URL(req.url ?? '/', 'http://relay'), { catalogue, chat: chatLog, secret: token, assignments, player })) return;
      if (await handleNoticesApi(req, res, new URL(req.url ?? '/', 'http://relay'), { relay, store: notices, uploads: noticeUploads })) return;
      if (await handleApi(req, res, path, ip, { relay, sessions, kinds, adminToken: token, baseUrl: () => baseUrl, startedAt, lookup, catalogue, recordings, chat: chatLog, assignments })) return;
      await serveStatic(req, res, webRoot, req.url ?? '/');
    })().catch((err: unknown) => sendError(res, err));
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== '/ws') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const frames = new MessageRateLimiter({ perSecond: 50, burst: 100 });
      const conn = new SignalingConnection(
        { send: (t) => ws.send(t), close: (c, r) => ws.close(c, r) },
        { relay, gate, ip: clientIp(req), frames: { allow: () => frames.take() }, notices },
      );
      ws.on('message', (data, isBinary) => {
        if (isBinary) return conn.handleText('\u0000binary');
        conn.handleText(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      });
      ws.on('close', () => {
        sockets.delete(ws);
        conn.handleClose();
      });
      ws.on('error', (err) => log('socket error from %s: %O', clientIp(req), err));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new EnvironmentError('PORT_IN_USE', { port, bind }));
      else reject(new EnvironmentError('PORT_IN_USE', { port, bind }, { cause: err }));
    });
    server.listen(port, bind, () => resolve());
  });
  const actualPort = (server.address() as { port: number }).port;
  baseUrl = `${scheme}://${announce}:${actualPort}`;
  await writeFileAtomic(join(opts.dataDir, 'relay.json'), JSON.stringify({ url: baseUrl, port: actualPort, pid: process.pid, tls: !!tls }, null, 2) + '\n', 0o644);
  log('listening on %s (bind %s)', baseUrl, bind);
  const lan = opts.announce !== false && reachableFromLan(bind) ? await announceRelay({ url: baseUrl, ...(caPem ? { caPem } : {}) }) : undefined;

  let closed = false;
  return {
    url: baseUrl,
    port: actualPort,
    relay,
    ...(upstream ? { upstream } : {}),
    ...(tls && 'caPath' in tls && tls.caPath ? { caPath: tls.caPath as string } : {}),
    recovered,
    async close() {
      if (closed) return;
      closed = true;
      await lan?.close();
      await recordings.stopAll('relay stopping');
      upstream?.close();
      relay.close();
      for (const ws of sockets) ws.close(WS_CLOSE.goingAway, 'relay stopping');
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      metrics.close?.();
      load.close();
      await chatLog.flush();
      await docStore.close();
      await Promise.all(writes);
      await rm(join(opts.dataDir, 'relay.json'), { force: true });
    },
  };
}
