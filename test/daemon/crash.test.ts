// A daemon killed with SIGKILL mid-job, then restarted: nothing partial under a final name,
// the ledger verifies, and the interrupted assets process again. Uses the real CLI in child processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { isTempName } from '../../server/util/atomic.ts';
import { listFiles, RpcClient, tempHome } from './helpers.ts';
import { makeImages } from './images.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');
const home = await tempHome('colophon-crash-');
const env = { ...process.env, COLOPHON_HOME: home };
await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Crash Tester' } }));
const infoFile = path.join(home, 'daemon.json');
const outRoot = path.join(home, 'output');

function serve(): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--quiet'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stderr: () => err, exited };
}

async function waitForInfo(pid: number): Promise<{ url: string; pid: number }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const info = JSON.parse(await fs.readFile(infoFile, 'utf8'));
      if (info.pid === pid) return info;
    } catch { /* not written yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('daemon.json never appeared');
}

const ledgerLines = async () => (await fs.readFile(path.join(home, 'ledger.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });

const inputs = await fs.mkdtemp(path.join(home, 'inputs-'));
const images = await makeImages(inputs, 10, 1400, 'frame');

t.test('SIGKILL mid-job, then restart', async (t) => {
  const first = serve();
  const info = await waitForInfo(first.child.pid!);
  const token = (await fs.readFile(path.join(home, 'token'), 'utf8')).trim();
  t.equal((await fs.stat(path.join(home, 'token'))).mode & 0o777, 0o600, 'token file is private (0600)');
  t.notMatch(first.stderr(), token, 'the token is never printed');

  const second = spawnSync(process.execPath, [bin, 'serve', '--port', '0'], { env, encoding: 'utf8', timeout: 60_000 });
  t.equal(second.status, 1, 'a second daemon on the same home exits 1');
  t.match(second.stderr, /already running/, 'and says one is running');

  const client = await RpcClient.connect(info.url, { authorization: `Bearer ${token}` });
  const pending = client.call('asset.process', { paths: images });
  const deadline = Date.now() + 120_000;
  while ((await ledgerLines()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  first.child.kill('SIGKILL');
  await first.exited;
  void pending;
  await client.close().catch(() => undefined);
  const recorded = await ledgerLines();
  t.ok(recorded >= 1 && recorded < images.length, `killed mid-job (${recorded} of ${images.length} recorded)`);
  t.ok(await fs.stat(infoFile), 'a killed daemon leaves a stale daemon.json behind');

  // Whatever carries a final name must be whole: images decode, JSON parses.
  for (const rel of await listFiles(outRoot)) {
    if (isTempName(rel)) continue; // a crash may leave a temp file half-written; the restart sweeps it
    const file = path.join(outRoot, rel);
    if (/\.(png|jpe?g|webp)$/.test(rel)) await t.resolves(sharp(file).raw().toBuffer(), `${rel} is a complete image`);
    else if (rel.endsWith('.json')) {
      const text = await fs.readFile(file, 'utf8');
      t.doesNotThrow(() => JSON.parse(text), `${rel} is complete JSON`);
    }
  }
  const verify1 = cli('ledger', 'verify', '--json');
  t.equal(verify1.status, 0, 'ledger verify passes after the crash');
  t.equal(JSON.parse(verify1.stdout).ok, true);

  const again = serve();
  const info2 = await waitForInfo(again.child.pid!);
  t.not(info2.pid, info.pid, 'the restarted daemon replaced the stale daemon.json');
  t.same((await listFiles(outRoot)).filter(isTempName), [], 'leftover temp files were swept on start');
  const c2 = await RpcClient.connect(info2.url, { authorization: `Bearer ${token}` });
  const r = await c2.call('asset.process', { paths: images });
  t.equal(r.result.errors.length, 0, 'the interrupted assets process again');
  t.equal(r.result.results.length, images.length);
  const v = await c2.call('ledger.verify', {});
  t.equal(v.result.ok, true, 'ledger verifies over the protocol too');
  await c2.close();

  again.child.kill('SIGTERM');
  t.equal(await again.exited, 0, 'SIGTERM is a clean exit');
  await t.rejects(fs.stat(infoFile), 'daemon.json removed on clean exit');
});
