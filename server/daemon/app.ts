import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION, SERVER_NAME } from '../../protocol/src/version.ts';
import { serveConnection } from './connection.ts';
import type { DaemonState } from './context.ts';
import { bearerMatches, capConnections, DEFAULT_HTTP_LIMITS, hostAllowed, httpServerOptions, notFound, originAllowed, reapUnclaimedUpgrades, safeLogger, type HttpLimits } from './security.ts';

export interface AppLimits extends HttpLimits {
  /** Largest accepted WebSocket message; bigger ones close the connection (code 1009). */
  maxPayload: number;
  maxConnections: number;
  /** Origins a browser page may connect from; empty by default (Blender sends no Origin). */
  allowOrigins: readonly string[];
}

export const DEFAULT_LIMITS: AppLimits = { maxPayload: 1024 * 1024, maxConnections: 64, allowOrigins: [], ...DEFAULT_HTTP_LIMITS };

/** The HTTP side: Host/Origin checks on everything, token and connection limit on the /ws upgrade. */
export async function buildApp(
  state: Omit<DaemonState, 'log'>,
  token: string,
  limits: AppLimits,
  logger: boolean | Record<string, unknown>,
): Promise<{ app: FastifyInstance; daemon: DaemonState }> {
  const app = Fastify({ logger: safeLogger(logger), ...httpServerOptions(limits) });
  capConnections(app.server, limits);
  app.setNotFoundHandler(notFound);
  const daemon: DaemonState = { ...state, log: app.log };
  let connections = 0;

  // preValidation, not onRequest: @fastify/websocket only tidies up a refused upgrade from this stage on.
  app.addHook('preValidation', async (req, reply) => {
    const port = (app.server.address() as AddressInfo | null)?.port ?? 0;
    if (!hostAllowed(req.headers.host, port)) {
      req.log.warn({ host: req.headers.host }, 'refused: Host header');
      return reply.code(403).send({ error: `Host "${req.headers.host ?? ''}" is not allowed; connect to 127.0.0.1:${port}.` });
    }
    if (!originAllowed(req.headers.origin, limits.allowOrigins)) {
      req.log.warn({ origin: req.headers.origin }, 'refused: Origin header');
      return reply.code(403).send({ error: `Origin "${req.headers.origin}" is not allowed to use this daemon.` });
    }
  });

  await app.register(websocket, { options: { maxPayload: limits.maxPayload } });
  const dropUnclaimed = reapUnclaimedUpgrades(app.server, app.websocketServer, limits.requestTimeoutMs);
  app.addHook('preClose', async () => dropUnclaimed());

  app.get('/healthz', async () => ({ ok: true, name: SERVER_NAME, version: state.version, protocol: PROTOCOL_VERSION }));

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
  }, (socket) => {
    connections++;
    socket.on('close', () => connections--);
    serveConnection(socket, daemon);
  });

  return { app, daemon };
}
