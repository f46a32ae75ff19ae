// The dashboard's login and API guard without a browser: one-time codes, the session on every route,
// CSRF, Origin and Sec-Fetch-Site, live events, and the upload path naming the user's file.
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import Fastify from 'fastify';
import t from 'tap';
import { JobQueue } from '../../server/daemon/jobs.ts';
import { CODE_TTL_MS, DashboardAuth, SESSION_TTL_MS } from '../../server/dashboard/auth.ts';
import { dashboardPlugin } from '../../server/dashboard/plugin.ts';
import { loadProfile } from '../../server/config.ts';
import { openExifTool } from '../../server/pipeline/exiftool.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { resolvePaths } from '../../server/paths.ts';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { fakeTexture } from './helpers.ts';
import { loginCookie, openTabs } from './tabs.ts';

function raw(url: string, headers: Record<string, string>, method = 'GET', body?: string | Buffer): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('login codes work once, expire, and are capped', async (t) => {
  const auth = new DashboardAuth();
  const now = 1_000_000;
  const { code, expiresAt } = auth.issueCode(now);
  t.match(code, /^[0-9a-f]{64}$/);
  t.equal(expiresAt.getTime(), now + CODE_TTL_MS);
  const s = auth.redeem(code, now + 1000);
  t.ok(s, 'a fresh code opens a session');
  t.equal(auth.redeem(code, now + 2000), null, 'the same code twice does not');
  t.equal(auth.session(s!.id, now + 5000)?.id, s!.id, 'the session is found by its cookie value');
  t.equal(auth.session(s!.id, now + SESSION_TTL_MS + 2000), null, 'and ends after its lifetime');
  const late = auth.issueCode(now).code;
  t.equal(auth.redeem(late, now + CODE_TTL_MS + 1), null, 'an expired code does not log in');
  t.equal(auth.redeem('not-a-code', now), null);
  t.equal(auth.redeem(undefined, now), null);
  const first = auth.issueCode(now).code;
  for (let i = 0; i < 20; i++) auth.issueCode(now);
  t.equal(auth.redeem(first, now), null, 'only the newest codes are kept');
  const s2 = auth.redeem(auth.issueCode(now).code, now)!;
  t.ok(auth.csrfMatches(s2, s2.csrf));
  t.notOk(auth.csrfMatches(s2, 'x'.repeat(64)));
  t.notOk(auth.csrfMatches(s2, undefined));
});

t.test('the job queue tells watchers what runs, how far it got, and lets the dashboard cancel any job', async (t) => {
  const q = new JobQueue({ concurrency: 1 });
  let changes = 0;
  q.events.on('change', () => changes++);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a = q.submit('blender', async ({ signal }) => {
    await Promise.race([gate, new Promise((_, rej) => signal.addEventListener('abort', () => rej(signal.reason)))]);
    return 'a';
  }, { kind: 'f12', label: '/renders/hero.exr' });
  const b = q.submit('cli', async () => 'b', { kind: 'pack', label: '/packs/rust' });
  t.same(q.list().map((j) => [j.kind, j.label, j.running]), [['f12', '/renders/hero.exr', true], ['pack', '/packs/rust', false]]);
  q.progress(b.jobId, 3, 10, 'x.png');
  t.match(q.list()[1], { done: 3, total: 10, current: 'x.png' });
  t.ok(changes >= 4, 'queued, started and progress each emit change');
  t.equal(q.cancelAny(a.jobId), true, 'a job of another connection can be cancelled from the dashboard');
  const err = await a.done.then(() => null, (e: { key?: string }) => e);
  t.equal(err?.key, 'CANCELLED', 'its promise rejects with CANCELLED');
  t.equal(await b.done, 'b');
  t.equal(q.cancelAny(a.jobId), false, 'a finished job is not cancelled again');
  t.same(q.list(), []);
  release();
  await q.close();
});

t.test('every /api route refuses a request without the session', async (t) => {
  const home = await tempHome('colophon-dash-routes-');
  const paths = resolvePaths({ COLOPHON_HOME: home });
  const app = Fastify({ logger: false });
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (r.url.startsWith('/api') && m !== 'HEAD') routes.push({ method: m, url: r.url });
  });
  const jobs = new JobQueue();
  const exiftool = openExifTool();
  t.teardown(() => exiftool.end());
  await app.register(dashboardPlugin, {
    daemon: { paths, ledger: new Ledger(paths.ledger), jobs, exiftool, version: '0', log: app.log, loadProfile: () => loadProfile(paths) },
  });
  await app.ready();
  t.ok(routes.length >= 15, `found ${routes.length} API routes`);
  for (const r of routes) {
    const res = await app.inject({ method: r.method as 'GET', url: r.url.replace(':id', '0123456789abcdef') });
    t.equal(res.statusCode, 401, `${r.method} ${r.url} needs the session`);
  }
  await app.close();
  await jobs.close();
});

t.test('against a running daemon', async (t) => {
  const home = await tempHome('colophon-dash-api-');
  const d = await startTestDaemon(home);
  t.teardown(() => d.close());
  const origin = `http://127.0.0.1:${d.port}`;
  const host = `127.0.0.1:${d.port}`;
  const cookie = await loginCookie(d.url, d.token);
  const session = JSON.parse((await raw(`${origin}/api/session`, { host, cookie })).body) as { csrf: string };
  t.match(session.csrf, /^[0-9a-f]{64}$/, 'the page gets its CSRF token from /api/session');

  t.test('the login URL is refused without the token, and answers no-store', async (t) => {
    const res = await raw(`${origin}/login?code=${'0'.repeat(64)}`, { host });
    t.equal(res.status, 403);
    t.match(res.body, /colophon dashboard/, 'the refusal says how to get a new link');
    t.equal(res.headers['set-cookie'], undefined);
    const ws = await RpcClient.connect(d.url, { origin }).catch((e: { status?: number }) => e);
    t.equal((ws as { status?: number }).status, 401, 'the page\'s own origin still cannot open /ws without the token');
  });

  t.test('state changes need the CSRF header and a same-origin request', async (t) => {
    const body = JSON.stringify({ platform: 'DeviantArt', method: 'setting' });
    const json = { host, cookie, 'content-type': 'application/json' };
    t.equal((await raw(`${origin}/api/optouts`, json, 'POST', body)).status, 403, 'no CSRF header');
    t.equal((await raw(`${origin}/api/optouts`, { ...json, 'x-colophon-csrf': 'f'.repeat(64) }, 'POST', body)).status, 403, 'wrong CSRF header');
    t.equal((await raw(`${origin}/api/optouts`, { ...json, 'x-colophon-csrf': session.csrf, 'sec-fetch-site': 'cross-site' }, 'POST', body)).status, 403, 'cross-site');
    t.equal((await raw(`${origin}/api/optouts`, { ...json, 'x-colophon-csrf': session.csrf, origin: 'http://localhost:1' }, 'POST', body)).status, 403, 'another port is another origin');
    const ok = await raw(`${origin}/api/optouts`, { ...json, 'x-colophon-csrf': session.csrf, origin, 'sec-fetch-site': 'same-origin' }, 'POST', body);
    t.equal(ok.status, 200, 'the page\'s own origin with the header is accepted');
    t.match(JSON.parse(ok.body).id, /^oo-[0-9a-f]{6}$/);
    t.equal(ok.headers['access-control-allow-origin'], undefined, 'no CORS');
    const bad = await raw(`${origin}/api/optouts`, { ...json, 'x-colophon-csrf': session.csrf }, 'POST', JSON.stringify({ platform: 'X', method: 'fax' }));
    t.equal(bad.status, 400, 'a bad request is a clear 400');
    t.match(JSON.parse(bad.body).error, /not one of form, email, setting, robots/);
  });

  t.test('a dropped file that is not a picture gets an error naming it, not the temp copy', async (t) => {
    const res = await raw(`${origin}/api/match`, { host, cookie, 'x-colophon-csrf': session.csrf, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent('my notes.jpg') }, 'POST', Buffer.from('hello'));
    t.equal(res.status, 200);
    const r = JSON.parse(res.body) as { name: string; match: unknown; error?: string };
    t.equal(r.name, 'my notes.jpg');
    t.equal(r.match, null);
    t.match(r.error, /^my notes\.jpg could not be decoded/);
    t.notMatch(r.error, /colophon-match-/);
  });

  t.test('site-kit downloads are limited to the files the kit wrote', async (t) => {
    const none = await raw(`${origin}/api/sitekit/file?path=robots.txt`, { host, cookie });
    t.equal(none.status, 404, 'nothing before a kit is generated');
    const gen = await raw(`${origin}/api/sitekit`, { host, cookie, 'x-colophon-csrf': session.csrf, 'content-type': 'application/json' }, 'POST', '{}');
    t.equal(gen.status, 200);
    t.equal((await raw(`${origin}/api/sitekit/file?path=robots.txt`, { host, cookie })).status, 200);
    t.equal((await raw(`${origin}/api/sitekit/file?path=../token`, { host, cookie })).status, 404, 'no path outside the kit');
    t.equal((await raw(`${origin}/api/sitekit/file?path=${encodeURIComponent(path.join(home, 'token'))}`, { host, cookie })).status, 404);
  });

  t.test('a pack started from the page can be cancelled from the page; source-rich files show no thumbnail', async (t) => {
    const pack = path.join(home, 'StonePack');
    await fs.mkdir(pack);
    for (const [i, m] of ['albedo', 'normal', 'roughness', 'height', 'ao', 'metallic'].entries()) await fakeTexture(path.join(pack, `stone_${m}.png`), i + 7, 1024);
    const tabs = await openTabs(d.url, d.token, 1);
    const json = { host, cookie, 'content-type': 'application/json', 'x-colophon-csrf': session.csrf };
    const bad = await raw(`${origin}/api/pack`, json, 'POST', JSON.stringify({ path: 'relative/pack' }));
    t.equal(bad.status, 400, 'a relative pack path is refused');
    const started = await raw(`${origin}/api/pack`, json, 'POST', JSON.stringify({ path: pack }));
    t.equal(started.status, 200);
    const { jobId } = JSON.parse(started.body) as { jobId: string };
    const cancel = await raw(`${origin}/api/jobs/${jobId}/cancel`, json, 'POST', '{}');
    t.same(JSON.parse(cancel.body), { cancelled: true });
    for (let i = 0; i < 200 && (tabs.counts.finished ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    t.equal(tabs.counts.finished, 1, 'the page hears the job ended');
    tabs.close();
    const unknown = await raw(`${origin}/api/jobs/${jobId}/cancel`, json, 'POST', '{}');
    t.same(JSON.parse(unknown.body), { cancelled: false }, 'cancelling again says it is no longer running');
    const assets = JSON.parse((await raw(`${origin}/api/assets`, { host, cookie })).body) as { cards: Array<{ assetId: string; hasPreview: boolean }> };
    for (const c of assets.cards.filter((x) => !x.hasPreview)) {
      t.equal((await raw(`${origin}/api/assets/${c.assetId}/thumb`, { host, cookie })).status, 404, 'no preview, no thumbnail');
    }
    t.equal((await raw(`${origin}/api/assets/ffffffffffffffff`, { host, cookie })).status, 404, 'an unknown asset is a 404');
  });

  t.test('a job Blender started shows on the page with its progress, and the page can cancel it', async (t) => {
    const pack = path.join(home, 'BrickPack');
    await fs.mkdir(pack);
    for (const [i, m] of ['albedo', 'normal', 'roughness', 'height', 'ao', 'metallic'].entries()) await fakeTexture(path.join(pack, `brick_${m}.png`), i + 21, 1024);
    const cookieTabs = await loginCookie(d.url, d.token);
    const seen: Array<Array<{ jobId: string; kind: string; label: string; done?: number; total?: number }>> = [];
    const ac = new AbortController();
    const res = await fetch(`${origin}/api/events`, { headers: { cookie: cookieTabs }, signal: ac.signal });
    void (async () => {
      let buf = '';
      try {
        for await (const chunk of res.body!) {
          buf += new TextDecoder().decode(chunk as Uint8Array);
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const m = /^event: jobs\ndata: (.*)$/m.exec(block);
            if (m != null) seen.push(JSON.parse(m[1]!));
          }
        }
      } catch {
        // aborted
      }
    })();
    const blender = await RpcClient.forDaemon(d);
    const started = await blender.call('pack.process', { path: pack });
    const jobId = started.result.jobId as string;
    for (let i = 0; i < 300 && !seen.some((l) => l.some((j) => j.jobId === jobId && j.total != null)); i++) await new Promise((r) => setTimeout(r, 50));
    const job = seen.flat().find((j) => j.jobId === jobId && j.total != null);
    t.match(job, { kind: 'pack', label: pack, total: 6 }, 'the page sees the pack Blender started, with its progress');
    const cancel = await raw(`${origin}/api/jobs/${jobId}/cancel`, { host, cookie: cookieTabs, 'content-type': 'application/json', 'x-colophon-csrf': JSON.parse((await raw(`${origin}/api/session`, { host, cookie: cookieTabs })).body).csrf }, 'POST', '{}');
    t.same(JSON.parse(cancel.body), { cancelled: true });
    await blender.until(() => blender.notes.some((n) => n.method === 'job.finished'));
    const fin = blender.notes.find((n) => n.method === 'job.finished')!;
    t.equal(fin.params.error?.data?.key, 'CANCELLED', 'Blender hears its pack was cancelled');
    await blender.close();
    ac.abort();
  });

  t.test('live events: the job queue, and a ledger written by another process', async (t) => {
    const tabs = await openTabs(d.url, d.token, 2);
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 100));
      return pred();
    };
    t.ok(await until(() => (tabs.counts.jobs ?? 0) >= 2 && (tabs.counts.ledger ?? 0) >= 2), 'each tab gets the queue and the ledger state at once');
    const before = tabs.counts.ledger ?? 0;
    // A second writer, like `colophon publish` in a terminal.
    await new Ledger(path.join(home, 'ledger.jsonl')).append('notice.changed', { kind: 'test' });
    t.ok(await until(() => (tabs.counts.ledger ?? 0) >= before + 2), 'both tabs hear about the new entry');
    const more = await openTabs(d.url, d.token, 14);
    const extra = await fetch(`${origin}/api/events`, { headers: { cookie } });
    t.equal(extra.status, 503, 'a 17th tab is refused rather than piling up streams');
    await extra.body?.cancel();
    more.close();
    tabs.close();
  });

  t.test('the daemon closes promptly with a tab open', async (t) => {
    const tabs = await openTabs(d.url, d.token, 1);
    const start = Date.now();
    await d.close();
    t.ok(Date.now() - start < 8000, 'close did not wait for the event stream');
    tabs.close();
    await fs.access(path.join(home, 'daemon.json')).then(() => t.fail('daemon.json left behind'), () => t.pass('daemon.json removed'));
  });
});
