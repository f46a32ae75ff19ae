// kill -9 of the daemon or of the CLI mid-job leaves no child behind: exiftool's perl processes and Blender die
// with their parent. Every process the test starts carries a marker in its environment (children inherit it),
// so /proc tells which processes belong to this test even after their parent is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import t, { type Test } from 'tap';
import { findBlender } from '../../server/pack/blend-deps.ts';
import { childrenDieWithUs } from '../../server/util/child.ts';
import { RpcClient, tempHome } from './helpers.ts';
import { makeImages } from './images.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');
const fixtures = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');

interface Proc { pid: number; name: string }

/** Live processes (not zombies) whose environment carries `mark`. */
async function marked(mark: string): Promise<Proc[]> {
  const found: Proc[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await fs.readFile(`/proc/${entry}/environ`, 'latin1');
      if (!environ.split('\0').includes(`COLOPHON_TEST_MARK=${mark}`)) continue;
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z /.test(stat)) continue;
      const cmdline = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      found.push({ pid: Number(entry), name: cmdline.map((a) => path.basename(a)).slice(0, 2).join(' ') });
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v != null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function killAndCheck(t: Test, child: ChildProcess, mark: string): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((r) => child.exitCode != null || child.signalCode != null ? r(null) : child.once('exit', r));
  const deadline = Date.now() + 5000;
  let left = await marked(mark);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = await marked(mark);
  }
  t.same(left, [], 'no process of the killed parent survives');
  for (const p of left) process.kill(p.pid, 'SIGKILL'); // never leave them to the next test
}

const noGuard = !childrenDieWithUs() && 'children can only be tied to their parent with setpriv (util-linux, Linux)';

t.test('kill -9 of the daemon during a pack with .blend files', { skip: noGuard || (findBlender() == null && 'Blender is not installed') }, async (t) => {
  const home = await tempHome('colophon-orphans-');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Orphan Tester' } }));
  const folder = path.join(home, 'kit');
  await fs.mkdir(folder);
  await makeImages(folder, 3, 256, 'tex');
  for (let i = 0; i < 4; i++) await fs.copyFile(path.join(fixtures, 'blend', 'basic_file.blend'), path.join(folder, `scene-${i}.blend`));

  const mark = randomUUID();
  const daemon = spawn(process.execPath, [bin, 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, COLOPHON_HOME: home, COLOPHON_TEST_MARK: mark }, stdio: 'ignore',
  });
  t.teardown(() => void daemon.kill('SIGKILL'));
  const info = await waitFor('daemon.json', async () => {
    const i = await fs.readFile(path.join(home, 'daemon.json'), 'utf8').then(JSON.parse).catch(() => null);
    return i?.pid === daemon.pid ? i as { url: string } : null;
  });
  const token = (await fs.readFile(path.join(home, 'token'), 'utf8')).trim();
  const client = await RpcClient.connect(info.url, { authorization: `Bearer ${token}` });
  const started = await client.call('pack.process', { path: folder });
  t.type(started.result?.jobId, 'string', 'the pack job started');

  // Kill at the worst moment: Blender and exiftool both running under the daemon.
  const procs = await waitFor('Blender to start', async () => {
    const ps = await marked(mark);
    return ps.some((p) => /blender/.test(p.name)) ? ps : null;
  });
  t.ok(procs.some((p) => /blender/.test(p.name)), 'Blender was running');
  t.ok(procs.some((p) => /perl|exiftool/.test(p.name)), `exiftool was running (${procs.map((p) => p.name).join(', ')})`);
  await killAndCheck(t, daemon, mark);
  await client.close().catch(() => undefined);
});

t.test('kill -9 of `colophon process` mid-run', { skip: noGuard }, async (t) => {
  const home = await tempHome('colophon-orphans-cli-');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Orphan Tester' } }));
  const inputs = path.join(home, 'in');
  await fs.mkdir(inputs);
  const images = await makeImages(inputs, 12, 1024, 'frame');
  const mark = randomUUID();
  const cli = spawn(process.execPath, [bin, 'process', ...images], {
    env: { ...process.env, COLOPHON_HOME: home, COLOPHON_TEST_MARK: mark }, stdio: 'ignore',
  });
  t.teardown(() => void cli.kill('SIGKILL'));
  const procs = await waitFor('exiftool to start', async () => {
    const ps = await marked(mark);
    return ps.some((p) => /perl|exiftool/.test(p.name)) ? ps : null;
  });
  t.ok(procs.length >= 2, `the CLI and its exiftool were running (${procs.map((p) => p.name).join(', ')})`);
  await killAndCheck(t, cli, mark);
});
