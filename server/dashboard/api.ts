import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PackParamsSchema } from '../../protocol/src/methods.ts';
import sharp from '../util/sharp.ts';
import type { DaemonState } from '../daemon/context.ts';
import { processPack } from '../daemon/handlers/pack.ts';
import { ledgerCsv } from '../daemon/ledger-csv.ts';
import { toColophonError } from '../errors.ts';
import { loadAssetIndex, type AssetRecord } from '../evidence/assets.ts';
import { CHECKLIST, CHECKLIST_CHECKED } from '../evidence/checklist.ts';
import { DEFAULT_THRESHOLD, matchFiles } from '../evidence/match.ts';
import { addOptout, DEFAULT_OVERDUE_DAYS, OPTOUT_METHODS, OPTOUT_STATUSES, optoutStates, respondOptout } from '../evidence/optout.ts';
import { buildEvidence } from '../evidence/report.ts';
import { renderEvidenceHtml } from '../evidence/report-html.ts';
import { writeSitekit } from '../evidence/sitekit.ts';
import { summarizeAsset } from '../evidence/summary.ts';
import { SESSION_COOKIE, type DashboardAuth, type Session } from './auth.ts';
import type { EventHub } from './events.ts';
import { assetCard, assetCards, ledgerView, overview, publicPreview, SITEKIT_HELP } from './views.ts';

export interface ApiOptions {
  daemon: DaemonState;
  auth: DashboardAuth;
  hub: EventHub;
  origin: () => string;
}

const CSRF_HEADER = 'x-colophon-csrf';
const MAX_UPLOAD = 200 * 1024 * 1024;
const THUMB_EDGE = 360;
const DASHBOARD_OWNER = 'dashboard';

declare module 'fastify' {
  interface FastifyRequest {
    dashboardSession?: Session;
  }
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Every route needs the session cookie; anything that changes state also needs the page's CSRF header. */
export async function apiRoutes(app: FastifyInstance, opts: ApiOptions): Promise<void> {
  const { daemon, auth, hub } = opts;

  app.addHook('onRequest', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const session = auth.session(req.cookies[SESSION_COOKIE]);
    if (session == null) {
      return reply.code(401).send({ error: 'Not logged in to the dashboard. Run `colophon dashboard` for a login link.' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const site = req.headers['sec-fetch-site'];
      if (site != null && site !== 'same-origin') return reply.code(403).send({ error: 'Cross-site requests are refused.' });
      if (!auth.csrfMatches(session, req.headers[CSRF_HEADER])) {
        return reply.code(403).send({ error: `Missing or wrong ${CSRF_HEADER} header; reload the dashboard.` });
      }
    }
    req.dashboardSession = session;
  });

  app.setErrorHandler((err: Error, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    if (status != null && status < 500) return reply.code(status).send({ error: err.message });
    const e = toColophonError(err);
    if (e.key === 'INTERNAL') req.log.error({ err }, 'dashboard request failed');
    const code = e.key === 'INTERNAL' ? 500 : e.key === 'FILE_NOT_FOUND' || e.key === 'JOB_NOT_FOUND' ? 404 : e.key === 'BUSY' ? 503 : 400;
    return reply.code(code).send({ error: e.message, key: e.key });
  });

  // Suspected copies arrive as raw bytes, one file per request (name in X-File-Name).
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD }, (_req, body, done) => done(null, body));

  const index = () => loadAssetIndex(daemon.ledger);
  const asset = async (id: string): Promise<AssetRecord> => {
    const rec = (await index()).assets.get(id);
    if (rec == null) throw new HttpError(404, `No asset ${id} is recorded in the ledger.`);
    return rec;
  };
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

  app.get('/session', async (req) => {
    const { profile, warnings } = await daemon.loadProfile();
    return { csrf: req.dashboardSession!.csrf, version: daemon.version, creator: profile.creator, outputRoot: profile.output.root, warnings };
  });

  app.post('/logout', async (req, reply) => {
    auth.end(req.dashboardSession!.id);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).send({ ok: true });
  });

  app.get('/overview', async () => overview(await index()));

  app.get('/assets', async (req) => {
    const { q, limit } = req.query as { q?: string; limit?: string };
    return assetCards(await index(), q ?? '', Math.min(1000, Math.max(1, Number(limit) || 200)));
  });

  app.get('/assets/:id', async (req) => {
    const rec = await asset((req.params as { id: string }).id);
    return { card: await assetCard(rec), summary: summarizeAsset(rec), entries: rec.entries.map(({ seq, ts, type, hash }) => ({ seq, ts, type, hash })) };
  });

  // Only the public preview is ever shown: the private master never leaves its folder through the page.
  const thumbs = new Map<string, Buffer>();
  app.get('/assets/:id/thumb', async (req, reply) => {
    const rec = await asset((req.params as { id: string }).id);
    const file = publicPreview(rec);
    if (file == null) throw new HttpError(404, `Asset ${rec.assetId} has no public preview.`);
    const st = await fs.stat(file).catch(() => null);
    if (st == null) throw new HttpError(404, `The public preview ${file} is no longer there.`);
    const key = `${file}:${st.mtimeMs}:${st.size}`;
    let img = thumbs.get(key);
    if (img == null) {
      img = await sharp(file, { failOn: 'none' }).resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
      thumbs.set(key, img);
      if (thumbs.size > 300) thumbs.delete(thumbs.keys().next().value!);
    }
    return reply.header('content-type', 'image/webp').header('cache-control', 'private, max-age=300').send(img);
  });

  app.get('/assets/:id/evidence', async (req, reply) => {
    const rec = await asset((req.params as { id: string }).id);
    const idx = await index();
    const report = await buildEvidence(daemon.ledger, idx, [rec], rec.assetId);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
      .send(renderEvidenceHtml(report));
  });

  app.post('/assets/:id/open', async (req) => {
    const rec = await asset((req.params as { id: string }).id);
    const which = body(req).which === 'private' ? 'private' : 'public';
    const card = await assetCard(rec);
    const dir = which === 'private' ? card.privateDir : card.publicDir;
    if (dir == null) throw new HttpError(404, `Asset ${rec.assetId} has no ${which} folder.`);
    return { dir, opened: await openFolder(dir) };
  });

  app.get('/ledger', async () => {
    const all = await daemon.ledger.readAll();
    return ledgerView(all, await daemon.ledger.verify());
  });

  app.get('/ledger.csv', async (_req, reply) =>
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="colophon-ledger.csv"')
      .send(ledgerCsv(await daemon.ledger.readAll())),
  );

  app.get('/optouts', async () => {
    const states = optoutStates((await index()).all);
    const checklist = CHECKLIST.map((item) => {
      const mine = states.filter((s) => s.platform.toLowerCase() === item.platform.toLowerCase()).at(-1);
      return { ...item, request: mine ?? null };
    });
    return { checked: CHECKLIST_CHECKED, overdueDays: DEFAULT_OVERDUE_DAYS, methods: OPTOUT_METHODS, statuses: OPTOUT_STATUSES, checklist, requests: states };
  });

  app.post('/optouts', async (req) => {
    const b = body(req);
    const entry = await addOptout(daemon.ledger, {
      platform: String(b.platform ?? ''),
      method: String(b.method ?? ''),
      ...(str(b.ref) != null ? { ref: str(b.ref) } : {}),
      ...(str(b.date) != null ? { date: str(b.date) } : {}),
      ...(str(b.note) != null ? { note: str(b.note) } : {}),
    });
    hub.ledgerChanged();
    return { id: entry.data.optoutId, seq: entry.seq };
  });

  app.post('/optouts/:id/response', async (req) => {
    const b = body(req);
    const entry = await respondOptout(daemon.ledger, {
      id: (req.params as { id: string }).id,
      status: String(b.status ?? ''),
      ...(str(b.date) != null ? { date: str(b.date) } : {}),
      ...(str(b.note) != null ? { note: str(b.note) } : {}),
    });
    hub.ledgerChanged();
    return { seq: entry.seq };
  });

  app.post('/match', async (req) => {
    if (!Buffer.isBuffer(req.body)) throw new HttpError(415, 'Send the file itself as application/octet-stream.');
    const raw = String(req.headers['x-file-name'] ?? 'dropped-file');
    let name = raw;
    try {
      name = decodeURIComponent(raw);
    } catch {
      // keep it as sent
    }
    name = path.basename(name.replace(/\\/g, '/')) || 'dropped-file';
    const threshold = Number((req.query as { threshold?: string }).threshold) || DEFAULT_THRESHOLD;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-match-'));
    try {
      const file = path.join(dir, name.replace(/[^\w.\- ]/g, '_'));
      await fs.writeFile(file, req.body);
      const r = await matchFiles([file], await index(), threshold);
      const m = r.matches[0];
      const err = r.errors[0];
      return {
        name,
        bytes: req.body.length,
        threshold: r.threshold,
        match: m == null ? null : { ...m, file: name, card: await assetCard(await asset(m.assetId)) },
        // The temp copy's path means nothing to the artist: name their file instead.
        ...(err != null ? { error: err.message.split(file).join(name) } : {}),
      };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  let lastKit: { outDir: string; files: string[] } | null = null;
  app.get('/sitekit', async () => {
    const { profile } = await daemon.loadProfile();
    return { outDir: path.join(profile.output.root, 'sitekit'), help: SITEKIT_HELP, generated: lastKit?.files ?? [] };
  });
  app.post('/sitekit', async () => {
    const { profile } = await daemon.loadProfile();
    const outDir = path.join(profile.output.root, 'sitekit');
    const r = await writeSitekit(outDir, profile, daemon.ledger);
    lastKit = { outDir, files: r.files.map((f) => f.path) };
    hub.ledgerChanged();
    return { outDir, ledgerSeq: r.entry.seq, files: r.files.map((f) => ({ ...f, help: SITEKIT_HELP[f.path] ?? '' })) };
  });

  app.get('/sitekit/file', async (req, reply) => {
    const rel = String((req.query as { path?: string }).path ?? '');
    // Only a file the kit just wrote, by its exact name: never an arbitrary path.
    if (lastKit == null || !lastKit.files.includes(rel)) throw new HttpError(404, `"${rel}" is not a file of the site kit generated in this session.`);
    const text = await fs.readFile(path.join(lastKit.outDir, rel));
    const download = rel.replace(/^\.well-known\//, '').replace(/^headers\//, '');
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${download.replace(/"/g, '')}"`)
      .send(text);
  });

  app.post('/pack', async (req) => {
    const b = body(req);
    const parsed = PackParamsSchema.safeParse({ path: str(b.path)?.trim(), ...(str(b.profile) != null ? { profile: str(b.profile) } : {}) });
    if (!parsed.success) throw new HttpError(400, 'Give the full path of the pack folder or .zip, and a market profile from the list.');
    const params = parsed.data;
    // The pack handler is reused as is: same confinement, same queue; its notifications come back here.
    return processPack(params, {
      daemon,
      connectionId: DASHBOARD_OWNER,
      notify: (method, p) => {
        if (method !== 'job.finished') return;
        const f = p as { jobId: string; result?: { results: unknown[]; errors: unknown[]; archive?: { path?: string } }; error?: { message: string } };
        hub.broadcast('finished', {
          jobId: f.jobId,
          label: params.path,
          ...(f.error != null ? { error: f.error.message } : {}),
          ...(f.result != null ? { results: f.result.results.length, errors: f.result.errors.length, archive: f.result.archive?.path } : {}),
        });
        hub.ledgerChanged();
      },
    });
  });

  app.post('/jobs/:id/cancel', async (req) => ({ cancelled: daemon.jobs.cancelAny((req.params as { id: string }).id) }));

  app.get('/events', (_req, reply) => {
    reply.hijack();
    if (!hub.add(reply.raw)) {
      reply.raw.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Too many dashboard tabs are open; close one.' }));
    }
  });
}

/** Opens a folder in the desktop's file manager where there is one; false when there is none (headless, SSH). */
function openFolder(dir: string): Promise<boolean> {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && process.env.DISPLAY == null && process.env.WAYLAND_DISPLAY == null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = execFile(cmd, [dir], { timeout: 10_000 }, (err) => resolve(err == null || process.platform === 'win32'));
    child.unref();
  });
}
