import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import type { Limits } from '../../protocol/src/limits.ts';

/** Reads the token file, creating it (32 random bytes, hex, mode 0600) on first start. */
export async function ensureToken(file: string): Promise<string> {
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64,}$/.test(text)) {
      await fs.chmod(file, 0o600);
      return text;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Missing or unusable: write a fresh one (a damaged token would lock every client out anyway).
  const token = randomBytes(32).toString('hex');
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // 0600 from the first byte: created under a temp name with that mode, then renamed into place.
  await writeFileAtomic(file, token + '\n', 0o600);
  return token;
}

/** Constant-time check of an `Authorization: Bearer <token>` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m == null) return false;
  // Hashing first makes both sides the same length, so the comparison leaks nothing about the token's length.
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Host must name this loopback listener exactly: anything else may be a DNS-rebinding page. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host == null) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * No Origin (Blender, scripts) is fine; a browser's Origin must be on the allow-list, which is empty by default,
 * or be this daemon's own page (the dashboard, served on `port`). /ws still needs the token, which no page has.
 */
export function originAllowed(origin: string | undefined, allowList: readonly string[], port?: number): boolean {
  if (origin == null || allowList.includes(origin)) return true;
  return port != null && (origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`);
}

/**
 * Limits on the HTTP side, before any upgrade. Without them a local process could hold thousands of half-open,
 * unauthenticated requests and use up the daemon's file descriptors (the WebSocket cap counts upgraded sockets only).
 */
export interface HttpLimits {
  /** Every TCP connection, upgraded WebSockets included; over it a new connection is closed at once. */
  maxHttpConnections: number;
  /** A request's headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request must arrive within this. */
  requestTimeoutMs: number;
  /** A connection with no traffic before its upgrade is closed after this. */
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export function httpLimitsFrom(l: Limits): HttpLimits {
  const { maxHttpConnections, headersTimeoutMs, requestTimeoutMs, idleTimeoutMs, keepAliveTimeoutMs } = l.http;
  return { maxHttpConnections, headersTimeoutMs, requestTimeoutMs, idleTimeoutMs, keepAliveTimeoutMs };
}

/** fastify server options for these limits. An upgraded WebSocket is not affected: ws clears the socket timeout. */
export function httpServerOptions(l: HttpLimits) {
  return {
    connectionTimeout: l.idleTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // Node checks header/request deadlines on this interval (30 s by default): check often enough to honour them.
    http: { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, l.headersTimeoutMs) },
  };
}

/** Caps connections on the listening server itself, so excess sockets are closed before they cost anything. */
export function capConnections(server: import('node:http').Server, l: HttpLimits): void {
  server.maxConnections = l.maxHttpConnections;
}

const SECRET_RUN = /[0-9a-f]{32,}/gi;

/**
 * A URL safe to log: every query value and any long hex run (a token pasted into the path) is replaced, so a
 * token sent in the URL, even on a refused request, never reaches the log.
 */
export function redactUrl(url: string | undefined): string {
  if (url == null) return '';
  const q = url.indexOf('?');
  const pathPart = (q < 0 ? url : url.slice(0, q)).replace(SECRET_RUN, '[redacted]');
  if (q < 0) return pathPart;
  const query = url.slice(q + 1).split('&').map((kv) => `${kv.split('=')[0]!.replace(SECRET_RUN, '[redacted]')}=[redacted]`).join('&');
  return `${pathPart}?${query}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** fastify's request fields, with the URL redacted. */
function safeRequest(req: LoggedRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** Error messages can quote the URL too (e.g. a malformed one). */
function safeError(err: Error) {
  return { type: err.name, message: String(err.message).replace(SECRET_RUN, '[redacted]'), code: (err as NodeJS.ErrnoException).code };
}

/** The logger options with URL-redacting serializers added (fastify logs each request's URL at info level). */
export function safeLogger(logger: boolean | Record<string, unknown>): boolean | Record<string, unknown> {
  if (logger === false) return false;
  const base = logger === true ? {} : logger;
  return { ...base, serializers: { ...(base.serializers as object | undefined), req: safeRequest, err: safeError } };
}

/** 404 without fastify's default, which logs and echoes the raw URL (query string and all). */
export async function notFound(req: { method: string; url: string }, reply: { code(n: number): { send(b: unknown): unknown } }) {
  return reply.code(404).send({ error: `Nothing at ${req.method} ${redactUrl(req.url)}. The daemon serves /ws (WebSocket) and /healthz.` });
}

/**
 * An upgrade request that is refused in a way that skips @fastify/websocket's own clean-up (a malformed URL gets its
 * 400 and then nothing) would keep its socket open for good, counting against the connection cap and keeping
 * `close()` waiting. Every upgrade socket that has not become a WebSocket within `ms` is destroyed; the returned
 * function destroys the ones still pending (for shutdown).
 */
export function reapUnclaimedUpgrades(server: import('node:http').Server, wss: import('ws').WebSocketServer, ms: number): () => void {
  const pending = new Set<import('node:stream').Duplex>();
  // ws keeps the socket as _socket: the one way to tell which upgrade became this client.
  wss.on('connection', (ws) => pending.delete((ws as unknown as { _socket: import('node:stream').Duplex })._socket));
  server.prependListener('upgrade', (_req, socket: import('node:stream').Duplex) => {
    pending.add(socket);
    const timer = setTimeout(() => {
      if (pending.has(socket)) socket.destroy();
    }, ms);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      pending.delete(socket);
    });
  });
  return () => {
    for (const s of pending) s.destroy();
  };
}
