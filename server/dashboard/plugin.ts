import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DaemonState } from '../daemon/context.ts';
import { apiRoutes } from './api.ts';
import { attachDashboard, DashboardAuth, SESSION_COOKIE, SESSION_TTL_MS } from './auth.ts';
import { EventHub } from './events.ts';

/** Where `npm run build:web` puts the bundle (run by `npm ci` through the root `prepare` script). */
const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface DashboardOptions {
  daemon: DaemonState;
  /** The built front end; default WEB_DIST. */
  webRoot?: string;
}

const PAGE_CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

function plainPage(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .header('cache-control', 'no-store')
    .send(
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:38rem;margin:4rem auto;padding:0 1rem;color:#1b1b1b}code{background:#eee;padding:.1rem .3rem}</style></head>` +
        `<body><h1>${title}</h1>${body}</body></html>`,
    );
}

/**
 * The local dashboard on the daemon's own port: the built page, a one-time-code login that sets an HttpOnly
 * SameSite=Strict session cookie, and the session-guarded /api routes. Host and Origin are checked by the
 * app-wide hook, as for /ws.
 */
export async function dashboardPlugin(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const { daemon } = opts;
  const auth = new DashboardAuth();
  const origin = () => `http://127.0.0.1:${(app.server.address() as AddressInfo | null)?.port ?? 0}`;
  attachDashboard(daemon, { auth, origin });
  const hub = new EventHub(daemon.jobs, daemon.ledger);
  // SSE streams never go idle, so end them before the server waits for its connections to close.
  app.addHook('preClose', async () => hub.close());

  await app.register(cookie);

  app.get('/login', async (req, reply) => {
    const { code } = req.query as { code?: string };
    const session = auth.redeem(typeof code === 'string' ? code : undefined);
    if (session == null) {
      req.log.warn('dashboard: refused a login code that is unknown, used or expired');
      return plainPage(
        reply,
        403,
        'This login link does not work',
        '<p>Each dashboard link logs in once and expires after two minutes. This one was already used, has expired, or was never issued by this daemon.</p>' +
          '<p>Run <code>colophon dashboard</code> (or press "Open dashboard" in Blender) for a new one.</p>',
      );
    }
    return reply
      .setCookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: SESSION_TTL_MS / 1000 })
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect('/', 303);
  });

  await app.register(apiRoutes, { prefix: '/api', daemon, auth, hub, origin });

  const webRoot = opts.webRoot ?? WEB_DIST;
  if (fs.existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: 'index.html',
      setHeaders: (res, file) => {
        res.header('x-content-type-options', 'nosniff');
        res.header('referrer-policy', 'no-referrer');
        if (file.endsWith('.html')) {
          res.header('content-security-policy', PAGE_CSP);
          res.header('cache-control', 'no-store');
        }
      },
    });
  } else {
    app.log.warn({ webRoot }, 'dashboard: the front end is not built; run `npm run build:web`');
    app.get('/', async (_req, reply) =>
      plainPage(reply, 503, 'The dashboard is not built', `<p>Run <code>npm run build:web</code> in the Colophon folder (it also runs on <code>npm ci</code>), then reload.</p>`),
    );
  }
}
