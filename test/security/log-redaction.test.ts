// Issue 12 item 9: a token in the URL (query string or path) is never written to the log, refused or not.
import http from 'node:http';
import { Writable } from 'node:stream';
import t from 'tap';
import WebSocket from 'ws';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { redactUrl } from '../../server/daemon/security.ts';

let log = '';
const stream = new Writable({
  write(chunk, _enc, cb) {
    log += chunk.toString();
    cb();
  },
});
const d = await startTestDaemon(await tempHome('colophon-log-'), { logger: { level: 'debug', stream } });
t.teardown(() => d.close());

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: d.port, path: pathAndQuery, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

t.test('tokens in URLs never reach the log or a 404 body', async (t) => {
  const tok = d.token;
  const refused = await RpcClient.connect(`${d.url}?token=${tok}`, {}).catch((e: { status: number }) => e);
  t.equal((refused as { status: number }).status, 401, 'a query-string token does not authenticate');
  const ok = await RpcClient.connect(`${d.url}?access_token=${tok}&x=1`, { authorization: `Bearer ${tok}` });
  await ok.close();
  t.equal((await get(`/healthz?token=${tok}`)).status, 200);
  const nf = await get(`/nothing/${tok}?token=${tok}`);
  t.equal(nf.status, 404);
  t.notMatch(nf.body, tok, 'the 404 body does not echo it');
  t.equal((await get(`/ws?token=${tok}`, { host: 'evil.example:80' })).status, 403, 'refused Host');
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}/%zz?token=${tok}`, { headers: { authorization: 'Bearer nope' } });
    ws.on('error', () => resolve());
    ws.on('unexpected-response', (req) => {
      req.destroy();
      resolve();
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  t.match(log, /incoming request/, 'requests are logged');
  t.match(log, /\[redacted\]/, 'with the URL redacted');
  t.notOk(log.includes(tok), 'the token is nowhere in the log');
  t.notOk(log.includes(tok.slice(0, 32)), 'not even half of it');
});

t.test('redactUrl keeps the shape and drops every secret', async (t) => {
  t.equal(redactUrl('/ws'), '/ws');
  t.equal(redactUrl('/ws?token=abc&x=1'), '/ws?token=[redacted]&x=[redacted]');
  t.equal(redactUrl(`/p/${'a1'.repeat(32)}/q`), '/p/[redacted]/q');
  t.equal(redactUrl(undefined), '');
});
