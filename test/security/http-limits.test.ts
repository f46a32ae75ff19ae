// Issue 12 item 8: half-open, unauthenticated HTTP requests are capped and timed out before any upgrade.
import net from 'node:net';
import t from 'tap';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';

const limits = { maxHttpConnections: 40, headersTimeoutMs: 1000, requestTimeoutMs: 1500, idleTimeoutMs: 2000, keepAliveTimeoutMs: 500 };
const d = await startTestDaemon(await tempHome('colophon-http-'), { limits });
t.teardown(() => d.close());

const serverConnections = () => new Promise<number>((r, j) => d.app.server.getConnections((e, n) => (e ? j(e) : r(n))));

/** A socket that sends the start of a request and then nothing: a half-open request. */
function halfOpen(port: number): Promise<{ closedAt: Promise<number> }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const closedAt = new Promise<number>((r) => s.once('close', () => r(Date.now())));
    s.on('error', () => undefined);
    s.resume(); // read whatever the daemon answers (a 408), so its close is seen
    s.once('connect', () => {
      s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`);
      resolve({ closedAt });
    });
    s.once('close', () => resolve({ closedAt }));
  });
}

t.test('300 half-open requests: the daemon holds at most the cap, reaps them, and then serves a real client', async (t) => {
  const idle = await RpcClient.forDaemon(d); // an upgraded client that stays quiet through all the timeouts
  const started = Date.now();
  const sockets = await Promise.all(Array.from({ length: 300 }, () => halfOpen(d.port)));
  const held = await serverConnections();
  t.ok(held <= limits.maxHttpConnections, `the server holds ${held} connections (cap ${limits.maxHttpConnections})`);
  const closed = await Promise.race([
    Promise.all(sockets.map((s) => s.closedAt)),
    new Promise<null>((r) => setTimeout(() => r(null), 15_000)),
  ]);
  t.not(closed, null, 'every half-open request was closed by the daemon');
  if (closed != null) t.ok(Math.max(...closed) - started < 10_000, `all closed within ${Math.max(...closed) - started} ms`);
  t.ok((await serverConnections()) <= 2, 'only the upgraded client is left');
  const fresh = await RpcClient.forDaemon(d);
  t.equal((await fresh.call('ledger.verify', {})).result?.ok, true, 'a new client is served');
  t.equal((await idle.call('ledger.verify', {})).result?.ok, true, 'the idle WebSocket outlived the HTTP timeouts');
  await fresh.close();
  await idle.close();
});

t.test('a connection that never sends anything is closed after the idle timeout', async (t) => {
  const s = net.connect(d.port, '127.0.0.1');
  s.on('error', () => undefined);
  s.resume();
  const t0 = Date.now();
  const ms = await new Promise<number>((r) => s.once('close', () => r(Date.now() - t0)));
  t.ok(ms < 8000, `closed after ${ms} ms`);
});

t.test('a refused upgrade with a malformed URL does not keep its socket (nor keep close() waiting)', async (t) => {
  const s = net.connect(d.port, '127.0.0.1');
  s.on('error', () => undefined);
  s.resume();
  await new Promise((r) => s.once('connect', r));
  s.write(`GET /%zz HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  const t0 = Date.now();
  const ms = await new Promise<number>((r) => s.once('close', () => r(Date.now() - t0)));
  t.ok(ms < 8000, `the daemon closed it after ${ms} ms`);
});
