// Issue 12 item 6: the token is 0600 from its first byte; private outputs are in owner-only (0700) folders.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { makeImages } from '../daemon/images.ts';

t.test('the token file is never readable by others, not even for a moment', async (t) => {
  const home = await tempHome('colophon-perm-');
  // A watcher polls the folder as fast as it can while a real daemon creates the token.
  const seen = new Set<number>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const name of await fs.readdir(home).catch(() => [] as string[])) {
        if (!name.includes('token')) continue;
        const st = await fs.stat(path.join(home, name)).catch(() => null);
        if (st != null) seen.add(st.mode & 0o777);
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  const d = await startTestDaemon(home);
  watching = false;
  await watch;
  t.equal((await fs.stat(path.join(home, 'token'))).mode & 0o777, 0o600);
  for (const mode of seen) t.equal(mode & 0o077, 0, `no group/other bits ever seen (saw ${mode.toString(8)})`);
  await d.close();
});

t.test('an existing 0644 token is tightened to 0600 on start', async (t) => {
  const home = await tempHome('colophon-perm-');
  await fs.writeFile(path.join(home, 'token'), 'ab'.repeat(32) + '\n', { mode: 0o644 });
  await fs.chmod(path.join(home, 'token'), 0o644);
  const d = await startTestDaemon(home);
  t.equal((await fs.stat(path.join(home, 'token'))).mode & 0o777, 0o600);
  await d.close();
});

t.test('private/ and private/<assetId>/ are 0700, also when an older run left them 0755', async (t) => {
  const home = await tempHome('colophon-perm-');
  const d = await startTestDaemon(home);
  const out = path.join(home, 'output');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' }, output: { root: out } }));
  await fs.mkdir(path.join(out, 'private'), { recursive: true, mode: 0o755 });
  await fs.chmod(path.join(out, 'private'), 0o755);
  const client = await RpcClient.forDaemon(d);
  const [img] = await makeImages(await fs.mkdtemp(path.join(home, 'in-')), 1);
  const r = await client.call('asset.process', { paths: [img!] });
  const assetId = r.result.results[0].assetId;
  t.equal((await fs.stat(path.join(out, 'private'))).mode & 0o777, 0o700);
  t.equal((await fs.stat(path.join(out, 'private', assetId))).mode & 0o777, 0o700);
  t.equal((await fs.stat(path.join(out, 'public', assetId))).mode & 0o077, 0o055 & (0o777 & ~process.umask()), 'public stays readable');
  await client.close();
  await d.close();
});

t.test('the CLI also makes private folders 0700', async (t) => {
  const home = await tempHome('colophon-perm-');
  const [img] = await makeImages(await fs.mkdtemp(path.join(home, 'in-')), 1);
  const out = path.join(home, 'out');
  const code = await new Promise<number | null>((resolve) => {
    const c = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../bin/colophon.js'), 'process', '--no-ledger', '--out', out, img!], { env: { ...process.env, COLOPHON_HOME: home }, stdio: 'ignore' });
    c.on('close', resolve);
  });
  t.equal(code, 0);
  const [id] = await fs.readdir(path.join(out, 'private'));
  t.equal((await fs.stat(path.join(out, 'private', id!))).mode & 0o777, 0o700);
});
