import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DEFAULT_LIMITS as PROFILE_LIMITS, type Limits } from '../../protocol/src/limits.ts';
import { PROTOCOL_VERSION, SERVER_NAME } from '../../protocol/src/version.ts';
import type { LoadedProfile } from '../config.ts';
import { dashboardPlugin } from '../dashboard/plugin.ts';
import type { ColophonPaths } from '../paths.ts';
import { serveConnection } from './connection.ts';
import type { DaemonState } from './context.ts';
import { keepAlive } from './plugins/heartbeat.ts';
import resources from './plugins/resources.ts';
import { bearerMatches, capConnections, hostAllowed, httpLimitsFrom, httpServerOptions, notFound, originAllowed, reapUnclaimedUpgrades, safeLogger, type HttpLimits } from './security.ts';

export interface AppLimits extends HttpLimits {
  /** Largest accepted WebSocket message: a bigger one is answered TOO_LARGE, one over twice this closes the connection (1009). */
  maxPayload: number;
  maxConnections: number;
  /** Origins a browser page may connect from; empty by default (Blender sends no Origin). */
  allowOrigins: readonly string[];
  /** Ping interval; a client that misses a pong for one interval is dropped. */
  heartbeatMs: number;
  /** One exiftool task's time limit. */
  exiftoolTaskMs: number;
  /** How long a ledger append waits for another writer. */
  ledgerLockMs: number;
}

/** The daemon's side of the profile's `limits`. */
export function appLimitsFrom(l: Limits): AppLimits {
  return { maxPayload: l.message.maxBytes, maxConnections: l.http.maxConnections, allowOrigins: [], heartbeatMs: l.http.heartbeatMs, exiftoolTaskMs: l.timeouts.exiftoolTaskMs, ledgerLockMs: l.timeouts.ledgerLockMs, ...httpLimitsFrom(l) };
}

export const DEFAULT_LIMITS: AppLimits = appLimitsFrom(PROFILE_LIMITS);

export interface AppOptions {
  paths: ColophonPaths;
  token: string;
  version: string;
  /** Reads config.json afresh, so `colophon init` takes effect without restarting the daemon. */
  loadProfile(): Promise<LoadedProfile>;
  limits?: Partial<AppLimits>;
  logger?: boolean | Record<string, unknown>;
  /** Job queue: jobs at once, and jobs waiting or running. */
  concurrency?: number;
  queueLimit?: number;
}

/**
 * The daemon as a fastify app, not listening (startDaemon listens; tests use app.inject, or injectWS after
 * `await app.ready()`: an upgrade injected before that is never answered).
 * It owns its resources: app.close() cancels the jobs, ends exiftool and closes every socket.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const app = Fastify({ logger: safeLogger(opts.logger ?? false), ...httpServerOptions(limits) });
  capConnections(app.server, limits);
  app.setNotFoundHandler(notFound);

  // Plugins, in order. Resources come first, so they are closed last.
  await app.register(resources, {
    ledgerFile: opts.paths.ledger,
    exiftoolTaskMs: limits.exiftoolTaskMs,
    ledgerLockMs: limits.ledgerLockMs,
    ...(opts.concurrency != null ? { concurrency: opts.concurrency } : {}),
    ...(opts.queueLimit != null ? { limit: opts.queueLimit } : {}),
  });
  app.addHook('preValidation', guardHostAndOrigin(app, limits));
  // ws itself stops reading at twice the limit; up to that, connection.ts answers an oversized message with a
  // TOO_LARGE error that names the limit, which tells the add-on far more than a bare close code.
  await app.register(websocket, { options: { maxPayload: 2 * limits.maxPayload }, preClose: closeClients });
  const dropUnclaimed = reapUnclaimedUpgrades(app.server, app.websocketServer, limits.requestTimeoutMs);
  app.addHook('preClose', async () => dropUnclaimed());
  await app.register(routes, { ...opts, limits });

  return app;
}

// preValidation, not onRequest: @fastify/websocket only tidies up a refused upgrade from this stage on.
function guardHostAndOrigin(app: FastifyInstance, limits: AppLimits) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const port = (app.server.address() as AddressInfo | null)?.port ?? 0;
    if (!hostAllowed(req.headers.host, port)) {
      req.log.warn({ host: req.headers.host }, 'refused: Host header');
      return reply.code(403).send({ error: `Host "${req.headers.host ?? ''}" is not allowed; connect to 127.0.0.1:${port}.` });
    }
    if (!originAllowed(req.headers.origin, limits.allowOrigins, port)) {
      req.log.warn({ origin: req.headers.origin }, 'refused: Origin header');
      return reply.code(403).send({ error: `Origin "${req.headers.origin}" is not allowed to use this daemon.` });
    }
  };
}

/**
 * On close, each client gets a "going away" close frame, and a client that does not finish the close handshake
 * within a second is cut off (ws alone would wait 30 s for it and keep the process alive meanwhile).
 */
function closeClients(this: FastifyInstance, done: () => void): void {
  const wss = this.websocketServer;
  for (const client of wss.clients) client.close(1001, 'daemon shutting down');
  setTimeout(() => {
    for (const client of wss.clients) client.terminate();
  }, 1000).unref();
  wss.close();
  done();
}

/** GET /healthz, and the token-checked /ws upgrade that serves JSON-RPC. */
async function routes(app: FastifyInstance, opts: AppOptions & { limits: AppLimits }): Promise<void> {
  const { limits, token } = opts;
  const daemon: DaemonState = {
    paths: opts.paths,
    ledger: app.ledger,
    jobs: app.jobs,
    exiftool: app.exiftool,
    version: opts.version,
    log: app.log,
    loadProfile: opts.loadProfile,
  };
  let connections = 0;

  await app.register(dashboardPlugin, { daemon });

  app.get('/healthz', async () => ({ ok: true, name: SERVER_NAME, version: opts.version, protocol: PROTOCOL_VERSION }));

  app.get('/ws', {
    websocket: true,
    preValidation: async (req, reply) => {
      if (!bearerMatches(req.headers.authorization, token)) {
        req.log.warn('refused: missing or wrong token');
        return reply.code(401).send({ error: 'Missing or wrong token: send "Authorization: Bearer <token>" with the token file\'s content.' });
      }
      if (connections >= limits.maxConnections) {
        return reply.code(503).send({ error: `Too many connections (${limits.maxConnections}); close one and retry.` });
      }
    },
  }, (socket, req) => {
    connections++;
    socket.on('close', () => connections--);
    serveConnection(socket, daemon, { maxBytes: limits.maxPayload });
    keepAlive(socket, limits.heartbeatMs, () => req.log.info('client missed a heartbeat; connection dropped'));
  });
}
