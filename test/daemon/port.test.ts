// The fixed port (7717) taken by another program, or refused by the OS: `serve` takes a free port, says so on
// stderr, and daemon.json carries the real URL, which is how the add-on finds the daemon.
// This test is about the fixed port, so it uses 7717 itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { envForUnprivileged } from '../helpers/unprivileged.ts';
import { tempHome } from './helpers.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');

/** Runs `serve` until daemon.json names it, checks /healthz at that URL, then stops it with SIGTERM. */
async function serveOnce(t: Test, home: string, args: string[], serve: string[] = [bin, 'serve']) {
  const [cmd, ...argv] = [process.execPath, ...serve, ...args];
  const child = spawn(cmd!, argv, { env: envForUnprivileged(home, { COLOPHON_HOME: home }), stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': it comes once stderr is drained too, so a line written just before SIGTERM is not lost.
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  let info: { url: string; pid: number } | null = null;
  for (;;) {
    info = await fs.readFile(path.join(home, 'daemon.json'), 'utf8').then(JSON.parse).catch(() => null);
    if (info != null && info.pid === child.pid) break;
    if (Date.now() > deadline || child.exitCode != null || child.signalCode != null) throw new Error(`serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const health = await fetch(info.url.replace(/^ws:/, 'http:').replace(/\/ws$/, '/healthz'));
  const body = (await health.json()) as { name: string };
  child.kill('SIGTERM');
  const code = await exited;
  return { url: new URL(info.url), healthy: health.ok && body.name === 'colophon', stderr, code };
}

t.test('port 7717 taken by another program', async (t) => {
  const squatter = net.createServer();
  await new Promise<void>((resolve) => {
    squatter.once('error', () => resolve()); // EADDRINUSE: someone else holds it already, which is the point
    squatter.listen(7717, '127.0.0.1', () => resolve());
  });
  t.teardown(() => squatter.close());
  const home = await tempHome('colophon-port-');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Port Tester' } }));
  const r = await serveOnce(t, home, ['--quiet']);
  t.not(r.url.port, '7717', `daemon.json names the port actually used (${r.url.port})`);
  t.equal(r.healthy, true, 'and the daemon answers there');
  t.match(r.stderr, /port 7717 on 127\.0\.0\.1 is in use by another program; listening on port \d+ instead \(daemon\.json tells the add-on\)/, 'serve says what happened');
  t.match(r.stderr, new RegExp(`listening on ws://127\\.0\\.0\\.1:${r.url.port}/ws`));
  t.equal(r.code, 0, 'and stops cleanly');
});

const unprivStart = Number(await fs.readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024'));
const noEacces = unprivStart <= 80 && 'this machine lets every user bind port 80, so the OS never refuses it';

t.test('a port the OS refuses (EACCES)', { skip: noEacces }, async (t) => {
  const home = await tempHome('colophon-port-eacces-');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Port Tester' } }));
  // Root may bind any port, so as root the daemon runs as "nobody" to meet the refusal a normal user meets.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await fs.chmod(home, 0o777);
  const serve = asRoot ? ['--import', 'tsx', path.join(repo, 'test', 'helpers', 'serve-unprivileged.ts')] : [bin, 'serve'];
  const r = await serveOnce(t, home, ['--port', '80', '--quiet'], serve);
  t.not(r.url.port, '80');
  t.equal(r.healthy, true, 'the daemon answers on the port it took');
  t.match(r.stderr, /the system refused port 80 on 127\.0\.0\.1 \(EACCES[^)]*\); listening on port \d+ instead/);
});
