import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { HelloResultSchema } from '../../protocol/src/methods.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { isTempName } from '../../server/util/atomic.ts';
import { envForUnprivileged } from '../helpers/unprivileged.ts';
import { listFiles, RpcClient, startTestDaemon, tempHome } from './helpers.ts';
import { makeImages } from './images.ts';

const home = await tempHome();
const daemon = await startTestDaemon(home);
const client = await RpcClient.forDaemon(daemon);
const outRoot = path.join(home, 'output');
const work = await fs.mkdtemp(path.join(home, 'inputs-'));
const images = await makeImages(work, 4);

t.test('session.hello answers with versions and the profile summary', async (t) => {
  const r = await client.call('session.hello', { protocol: 1, client: { name: 'tap', version: '1' } });
  t.equal(r.error, undefined);
  t.ok(HelloResultSchema.safeParse(r.result).success, 'result matches the protocol schema');
  t.equal(r.result.profile.creator.name, 'Test Artist');
  t.equal(r.result.profile.dataMining, 'DMI-PROHIBITED-AIMLTRAINING');
});

t.test('a protocol version the daemon does not speak is named', async (t) => {
  const r = await client.call('session.hello', { protocol: 2, client: { name: 'tap', version: '1' } });
  t.equal(r.error?.data?.key, 'UNSUPPORTED_PROTOCOL_VERSION');
  t.match(r.error?.message, /protocol 1/);
});

t.test('malformed JSON gets -32700 with id null and the connection keeps answering', async (t) => {
  client.sendRaw('{"jsonrpc":"2.0","id":1,"method":');
  await client.until(() => client.orphans.length > 0);
  const err = client.orphans.shift()!;
  t.equal(err.id, null);
  t.equal(err.error?.code, -32700);
  t.equal(err.error?.data?.key, 'PARSE_ERROR');
  const again = await client.call('ledger.verify', {});
  t.equal(again.result?.ok, true, 'next request answered normally');
});

t.test('a request without an id or with a wrong envelope is -32600', async (t) => {
  client.sendRaw(JSON.stringify({ jsonrpc: '2.0', method: 'ledger.verify' }));
  await client.until(() => client.orphans.length > 0);
  const noId = client.orphans.shift()!;
  t.equal(noId.error?.code, -32600);
  t.match(noId.error?.message, /id/);
  const wrong = await client.send({ jsonrpc: '1.0', id: 'x', method: 'ledger.verify' }, 'x');
  t.equal(wrong.error?.code, -32600);
  t.equal(wrong.error?.data?.path, 'jsonrpc');
  client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  await client.until(() => client.orphans.length > 0);
  t.equal(client.orphans.shift()!.error?.data?.key, 'INVALID_REQUEST', 'binary frames are refused');
});

t.test('unknown method is -32601 and lists the real ones', async (t) => {
  const r = await client.call('asset.delete', {});
  t.equal(r.error?.code, -32601);
  t.match(r.error?.message, /asset\.process/);
});

t.test('invalid params are -32602 naming the failing field', async (t) => {
  const r1 = await client.call('asset.process', { paths: 'not-a-list' });
  t.equal(r1.error?.code, -32602);
  t.equal(r1.error?.data?.path, 'params.paths');
  const r2 = await client.call('asset.process', { paths: ['/x.png'], context: { frame: 'one' } });
  t.equal(r2.error?.data?.path, 'params.context.frame');
  const r3 = await client.call('preview.export', { path: '/x.png', colour: 'red' });
  t.equal(r3.error?.data?.path, 'params.colour');
  t.match(r3.error?.message, /unknown field "colour"/);
});

t.test('a missing file is a Failure for that input; the other inputs are still processed', async (t) => {
  const missing = path.join(work, 'nope.png');
  const r = await client.call('asset.process', { paths: [images[0]!, missing] });
  t.equal(r.result.results.length, 1);
  t.equal(r.result.errors.length, 1);
  t.equal(r.result.errors[0].code, 'FILE_NOT_FOUND');
  t.equal(r.result.errors[0].input, missing);
  const p = await client.call('preview.export', { path: missing });
  t.equal(p.error?.data?.key, 'FILE_NOT_FOUND');
  t.match(p.error?.message, /nope\.png/);
});

t.test('an unreadable file is reported as UNREADABLE; the other input is still processed', async (t) => {
  // An unprivileged daemon (root would read through mode 000): see test/helpers/daemon-unprivileged.ts.
  const uhome = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-daemon-perm-'));
  t.teardown(() => fs.rm(uhome, { recursive: true, force: true }));
  await fs.chmod(uhome, 0o777);
  await fs.writeFile(path.join(uhome, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' } }));
  const locked = path.join(uhome, 'locked.png');
  const readable = path.join(uhome, 'readable.png');
  await fs.copyFile(images[1]!, locked);
  await fs.copyFile(images[2]!, readable);
  await fs.chmod(readable, 0o644);
  await fs.chmod(locked, 0o000);
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../helpers/daemon-unprivileged.ts'), uhome], { env: envForUnprivileged(uhome), stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGTERM'));
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`unprivileged daemon exited early (${code})`)));
  });
  const info = JSON.parse(line) as { url: string; uid: number };
  t.not(info.uid, 0, 'the daemon runs without root privileges');
  const token = (await fs.readFile(path.join(uhome, 'token'), 'utf8')).trim();
  const port = new URL(info.url).port;
  const c = await RpcClient.connect(info.url, { Authorization: `Bearer ${token}`, Host: `127.0.0.1:${port}` });
  t.teardown(() => c.close());
  const r = await c.call('asset.process', { paths: [locked, readable] });
  t.equal(r.result.errors[0]?.code, 'UNREADABLE');
  t.match(r.result.errors[0]?.message, /permission denied/);
  t.equal(r.result.results.length, 1);
});

t.test('a folder where a file is expected is NOT_A_FILE', async (t) => {
  const p = await client.call('preview.export', { path: work });
  t.equal(p.error?.data?.key, 'NOT_A_FILE');
});

t.test('relative paths are refused: the daemon has no meaningful working folder', async (t) => {
  const r = await client.call('asset.process', { paths: ['relative/render.png', images[0]!] });
  t.equal(r.result.errors[0].code, 'PATH_NOT_ALLOWED');
  t.equal(r.result.results.length, 1, 'the absolute one was processed');
  const p = await client.call('blend.archive', { blend: 'scene.blend', dependencies: [] });
  t.equal(p.error?.data?.key, 'PATH_NOT_ALLOWED');
});

t.test('an output folder that leads outside the output root (symlink) is refused, nothing written there', async (t) => {
  const outside = await fs.mkdtemp(path.join(home, 'outside-'));
  await fs.rm(path.join(outRoot, 'public'), { recursive: true, force: true });
  await fs.symlink(outside, path.join(outRoot, 'public'));
  t.teardown(() => fs.rm(path.join(outRoot, 'public'), { force: true }));
  const r = await client.call('asset.process', { paths: [images[2]!] });
  t.equal(r.error?.data?.key, 'PATH_NOT_ALLOWED');
  t.match(r.error?.message, /outside the output root/);
  t.same(await fs.readdir(outside), [], 'nothing was written outside');
});

t.test('the upgrade needs the right token, a local Host and no foreign Origin', async (t) => {
  const refused = async (headers: Record<string, string>) => {
    try {
      const c = await RpcClient.connect(daemon.url, headers);
      await c.close();
      return 0;
    } catch (err) {
      return (err as { status?: number }).status ?? -1;
    }
  };
  const auth = { authorization: `Bearer ${daemon.token}` };
  t.equal(await refused({}), 401, 'no token');
  t.equal(await refused({ authorization: `Bearer ${'0'.repeat(64)}` }), 401, 'wrong token');
  t.equal(await refused({ authorization: daemon.token }), 401, 'token without the Bearer scheme');
  t.equal(await refused({ ...auth, origin: 'https://evil.example' }), 403, 'hostile Origin');
  t.equal(await refused({ ...auth, host: `evil.example:${daemon.port}` }), 403, 'DNS-rebinding Host');
  t.equal(await refused({ ...auth, host: `127.0.0.1:${daemon.port + 1}` }), 403, 'Host with another port');
  t.equal(await refused({ ...auth, host: `localhost:${daemon.port}` }), 0, 'localhost:PORT is fine');
  t.equal(await refused(auth), 0, 'the right token is let in');
});

t.test('a message over the size limit is answered TOO_LARGE; one over twice the limit closes that connection only', async (t) => {
  const c = await RpcClient.forDaemon(daemon);
  c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ledger.query', params: { pad: 'x'.repeat(1100 * 1024) } }));
  await c.until(() => c.orphans.length > 0);
  t.equal(c.orphans[0]?.error?.data?.key, 'TOO_LARGE', 'answered with a clear error');
  t.match(c.orphans[0]?.error?.message, /above the daemon's limit of 1048576 bytes \(limits\.message\.maxBytes/);
  t.equal((await c.call('ledger.verify', {})).result?.ok, true, 'and the connection still works');
  const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
  c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ledger.query', params: { pad: 'x'.repeat(2100 * 1024) } }));
  t.equal(await closed, 1009, 'closed with "message too big"');
  const r = await client.call('ledger.verify', {});
  t.equal(r.result?.ok, true, 'other connections unaffected');
});

t.test('job.cancel of a job this connection never started is JOB_NOT_FOUND', async (t) => {
  const r = await client.call('job.cancel', { jobId: 'no-such-job' });
  t.equal(r.error?.data?.key, 'JOB_NOT_FOUND');
});

t.test('a client that disconnects mid-job: its job is cancelled or finishes, nothing half-written', async (t) => {
  const many = await makeImages(work, 6, 512, 'leaver');
  const c = await RpcClient.forDaemon(daemon);
  void c.call('asset.process', { paths: many });
  await new Promise((r) => setTimeout(r, 150));
  await c.close();
  const deadline = Date.now() + 60_000;
  while (daemon.jobs.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(daemon.jobs.size, 0, 'the job settled');
  const files = await listFiles(outRoot);
  t.same(files.filter(isTempName), [], 'no temp files left');
  t.equal((await new Ledger(path.join(home, 'ledger.jsonl')).verify()).ok, true, 'ledger intact');
  const again = await client.call('asset.process', { paths: many });
  t.equal(again.result.errors.length, 0, 'the same files process fine afterwards');
  t.equal(again.result.results.length, many.length);
});

t.test('past the queue limit the daemon answers BUSY instead of queueing', async (t) => {
  const h2 = await tempHome();
  const small = await startTestDaemon(h2, { concurrency: 1, queueLimit: 1 });
  const c = await RpcClient.forDaemon(small);
  t.teardown(async () => {
    await c.close();
    await small.close();
  });
  const [a, b] = await Promise.all([
    c.call('asset.process', { paths: [images[3]!] }),
    c.call('asset.process', { paths: [images[2]!] }),
  ]);
  t.equal(a.error, undefined, 'first request ran');
  t.equal(b.error?.data?.key, 'BUSY');
  t.match(b.error?.message, /try again/i);
  const limited = await startTestDaemon(await tempHome(), { limits: { maxConnections: 1 } });
  t.teardown(() => limited.close());
  const first = await RpcClient.forDaemon(limited);
  await t.rejects(RpcClient.forDaemon(limited), /HTTP 503/, 'a connection past the limit is refused');
  await first.close();
});

t.test('ledger.verify names an entry edited by hand', async (t) => {
  const file = path.join(home, 'ledger.jsonl');
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  t.ok(lines.length > 2, 'earlier tests recorded entries');
  lines[1] = lines[1]!.replace('Test Artist', 'Someone Else');
  await fs.writeFile(file, lines.join('\n'));
  const r = await client.call('ledger.verify', {});
  t.match(r.result, { ok: false, firstBadSeq: 1 });
  t.match(r.result.problem, /altered/);
});

t.test('the logs (fastify, debug level) never contain the token', async (t) => {
  const lines: string[] = [];
  const logged = await startTestDaemon(await tempHome(), {
    logger: { level: 'debug', stream: { write: (l: string) => void lines.push(l) } },
  });
  const c = await RpcClient.connect(logged.url, { authorization: `Bearer ${logged.token}` });
  await c.call('ledger.verify', {});
  await c.close();
  await t.rejects(RpcClient.connect(logged.url, { authorization: `Bearer ${logged.token.slice(0, 60)}beef` }), /401/);
  await logged.close();
  t.ok(lines.length > 3, 'something was logged');
  t.ok(lines.some((l) => l.includes('refused: missing or wrong token')), 'the refusal is logged');
  t.notOk(lines.some((l) => l.includes(logged.token) || l.includes(logged.token.slice(0, 60))), 'no token, whole or partial');
});

t.test('a clean close removes daemon.json and ends the jobs', async (t) => {
  await client.close();
  t.ok(await fs.stat(path.join(home, 'daemon.json')), 'daemon.json exists while running');
  await daemon.close();
  await t.rejects(fs.stat(path.join(home, 'daemon.json')), 'daemon.json removed on close');
  t.equal(daemon.jobs.size, 0);
});
