// buildApp() without a port: HTTP through app.inject(), JSON-RPC through injectWS, and the resources the app
// owns (ledger, exiftool pool, job queue) freed by app.close(). The heartbeat needs a real socket, so that
// part listens on a free port.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { loadProfile } from '../../server/config.ts';
import { buildApp, type AppOptions } from '../../server/daemon/app.ts';
import { resolvePaths } from '../../server/paths.ts';
import { closeExifTool, EXIFTOOL_MAX_MEMORY_BYTES, getExifTool } from '../../server/pipeline/exiftool.ts';
import { tempHome } from './helpers.ts';
import { makeImages } from './images.ts';

const TOKEN = 'ab'.repeat(32);
// An app that is not listening has port 0, so that is the Host it accepts.
const HOST = '127.0.0.1:0';

async function options(extra: Partial<AppOptions> = {}): Promise<AppOptions> {
  const home = await tempHome('colophon-app-');
  fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Inject Artist' } }));
  const paths = resolvePaths({ COLOPHON_HOME: home });
  return { paths, token: TOKEN, version: '9.9.9-test', loadProfile: () => loadProfile(paths), logger: false, ...extra };
}

/** One JSON-RPC round trip on a WebSocket (the injected one or a real one). */
function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== id) return;
      ws.off('message', onMessage);
      resolve(msg);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  });
}

t.teardown(closeExifTool); // the process-wide pool one assertion creates

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));

t.test('HTTP through inject: /healthz, and the Host check', async (t) => {
  const app = await buildApp(await options());
  t.teardown(() => app.close());
  const ok = await app.inject({ method: 'GET', url: '/healthz', headers: { host: HOST } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { ok: true, name: 'colophon', version: '9.9.9-test', protocol: 1 });
  const rebinding = await app.inject({ method: 'GET', url: '/healthz', headers: { host: 'evil.example:7717' } });
  t.equal(rebinding.statusCode, 403, 'a foreign Host is refused');
  t.match(rebinding.json().error, /Host "evil\.example:7717" is not allowed/);
  t.equal(app.server.listening, false, 'buildApp never listens by itself');
});

t.test('JSON-RPC through injectWS, on the app\'s own ledger, exiftool pool and job queue', async (t) => {
  const app = await buildApp(await options());
  const noToken = await app.inject({ method: 'GET', url: '/ws', headers: { host: HOST } });
  t.equal(noToken.statusCode, 401, '/ws needs the token');
  t.match(noToken.json().error, /Authorization: Bearer/);

  await app.ready(); // an upgrade injected before ready is never answered
  const ws = await app.injectWS('/ws', { headers: { host: HOST, authorization: `Bearer ${TOKEN}` } });
  const hello = await call(ws, 1, 'session.hello', { protocol: 1, client: { name: 'tap', version: '1' } });
  t.equal(hello.result.server.version, '9.9.9-test');
  t.equal(hello.result.profile.creator.name, 'Inject Artist');

  const [image] = await makeImages(path.dirname(app.ledger.file), 1, 128, 'inject');
  const processed = await call(ws, 2, 'asset.process', { paths: [image] });
  t.same(processed.result.errors, [], 'the image was processed');
  t.equal(processed.result.results.length, 1);
  const pids = app.exiftool.pids;
  t.ok(pids.length > 0, 'the request ran on the app\'s own exiftool pool');
  const limits = fs.readFileSync(`/proc/${pids[0]}/limits`, 'utf8');
  t.match(limits, new RegExp(`Max address space\\s+${EXIFTOOL_MAX_MEMORY_BYTES}\\s`), 'exiftool runs under its memory cap');
  t.not(getExifTool(), app.exiftool, 'outside a request, code gets the process-wide pool, not the daemon\'s');
  const entries = await call(ws, 3, 'ledger.query', {});
  t.equal(entries.result.entries.length, 1, 'and was recorded in the app\'s ledger');
  t.equal((await app.ledger.readAll()).length, 1);

  ws.terminate();
  await app.close();
  t.equal(app.exiftool.ended, true, 'app.close() ended the exiftool pool');
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(pids.filter(alive), [], 'no exiftool process is left');
  t.throws(() => app.jobs.submit('x', async () => 1), /shutting down/, 'the job queue takes no more work');
  await t.resolves(app.close(), 'closing twice is harmless');
});

t.test('a job running when the app closes is cancelled, and its client is told', async (t) => {
  const app = await buildApp(await options());
  await app.ready();
  const ws = await app.injectWS('/ws', { headers: { host: HOST, authorization: `Bearer ${TOKEN}` } });
  const dir = path.dirname(app.ledger.file);
  const images = await makeImages(dir, 30, 512, 'slow');
  const reply = call(ws, 1, 'asset.process', { paths: images });
  const deadline = Date.now() + 60_000;
  while (app.jobs.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await app.close();
  const r = await reply;
  t.ok(r.error?.data?.key === 'CANCELLED' || r.result?.errors.some((e: { code: string }) => e.code === 'CANCELLED'), 'the reply says CANCELLED');
  t.equal(app.jobs.size, 0, 'no job is left');
});

t.test('heartbeat: a peer that stops answering pings is dropped, a live one stays', async (t) => {
  const app = await buildApp(await options({ limits: { heartbeatMs: 150 } }));
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const url = `ws://127.0.0.1:${port}/ws`;
  const open = (autoPong: boolean) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` }, autoPong });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const live = await open(true);
  const dead = await open(false);
  let pings = 0;
  dead.on('ping', () => pings++);
  const closed = new Promise<number>((r) => dead.once('close', (code) => r(code)));
  const started = Date.now();
  const code = await closed;
  t.ok(pings >= 1, `the daemon pinged (${pings}×)`);
  t.equal(code, 1006, 'the silent peer was terminated (no close handshake)');
  t.ok(Date.now() - started < 5000, 'within a few heartbeat intervals');
  await new Promise((r) => setTimeout(r, 600));
  t.equal(live.readyState, WebSocket.OPEN, 'a peer that answers pings keeps its connection');
  const r = await call(live, 1, 'ledger.verify', {});
  t.equal(r.result.ok, true, 'and is still served');
  live.close();
});
