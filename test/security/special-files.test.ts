// Issue 12 item 2: FIFOs, devices and sockets are refused by stat, before anything opens them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { makeImages } from '../daemon/images.ts';
import { colophon } from './helpers.ts';

const home = await tempHome('colophon-special-');
const work = path.join(home, 'in');
await fs.mkdir(work);
const fifo = path.join(work, 'render.png');
execFileSync('mkfifo', [fifo]);
const sockPath = path.join(work, 'sock.png');
const sockServer = net.createServer().listen(sockPath);
await new Promise((r) => sockServer.once('listening', r));
t.teardown(() => sockServer.close());

t.test('colophon process /dev/zero and a FIFO return at once with NOT_A_FILE and exit 1', async (t) => {
  const r = await colophon(home, ['process', '--json', '--out', path.join(home, 'out'), '/dev/zero', fifo, sockPath], 30_000);
  t.notOk(r.timedOut, 'the CLI did not wedge');
  t.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  t.same(report.errors.map((e: { code: string }) => e.code), ['NOT_A_FILE', 'NOT_A_FILE', 'NOT_A_FILE']);
  t.match(report.errors[0].message, /\/dev\/zero is not a regular file \(it is a character device\)/);
  t.match(report.errors[1].message, /named pipe/);
  t.match(report.errors[2].message, /socket/);
});

t.test('the daemon refuses a FIFO and /dev/zero, keeps its job slots and still stops on close', async (t) => {
  const d = await startTestDaemon(await tempHome('colophon-special-d-'), { concurrency: 1 });
  const client = await RpcClient.forDaemon(d);
  const [img] = await makeImages(work, 1);
  for (const p of ['/dev/zero', fifo, sockPath]) {
    const r = await client.call('asset.process', { paths: [p] });
    t.equal(r.result?.errors?.[0]?.code, 'NOT_A_FILE', `${p} refused`);
  }
  const dz = await client.call('preview.export', { path: '/dev/zero' });
  t.equal(dz.error?.data?.key, 'NOT_A_FILE', 'preview.export refuses a device');
  const disp = await client.call('asset.process', { paths: [img!], display: fifo });
  t.equal(disp.result?.errors?.[0]?.code, 'NOT_A_FILE', 'a FIFO as display rendition is refused');
  // With one job slot, a wedged job would block this one forever.
  const ok = await client.call('asset.process', { paths: [img!] });
  t.equal(ok.result?.results?.length, 1, 'the only job slot is free again');
  await client.close();
  const closed = d.close().then(() => 'closed');
  const raced = await Promise.race([closed, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
  t.equal(raced, 'closed', 'close (what SIGTERM runs) completes');
});

t.test('a disconnect stops hashing part-way', async (t) => {
  const { sha256File } = await import('../../server/util/hash.ts');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  // /dev/zero never ends: only the signal can stop this read.
  await t.rejects(sha256File('/dev/zero', ac.signal), { name: 'AbortError' });
});
