// The add-on's "Open dashboard" button in real Blender (headless): it gets a one-time login link from the
// running daemon through the same dashboard.login call as `colophon dashboard`, and the link logs in once.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { repo } from './helpers.ts';

const run = promisify(execFile);
const BLENDER = process.env.BLENDER ?? 'blender';
const onPath = (cmd: string) => (process.env.PATH ?? '').split(path.delimiter).some((d) => existsSync(path.join(d, cmd)));
const skip = path.isAbsolute(BLENDER) ? !existsSync(BLENDER) && 'blender not installed' : !onPath(BLENDER) && 'blender not installed';

t.test('Open dashboard in Blender prints a one-time link that logs in once', { skip }, async (t) => {
  const root = await tempHome('colophon-dash-blender-');
  const scripts = path.join(root, 'scripts');
  await fs.mkdir(path.join(scripts, 'addons'), { recursive: true });
  await fs.symlink(path.join(repo, 'blender-addon', 'colophon'), path.join(scripts, 'addons', 'colophon'), 'dir');
  const home = path.join(root, 'home');
  await fs.mkdir(home);
  await fs.mkdir(path.join(root, 'config'));
  const daemon = await startTestDaemon(home);
  t.teardown(() => daemon.close());

  const env = { ...process.env, BLENDER_USER_SCRIPTS: scripts, BLENDER_USER_CONFIG: path.join(root, 'config'), COLOPHON_HOME: home };
  const { stdout, stderr } = await run(
    BLENDER,
    ['-b', '--factory-startup', '--python-exit-code', '1', '--addons', 'colophon', '--python-expr', 'import bpy; print("RESULT", bpy.ops.colophon.open_dashboard())'],
    { env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const out = stdout + stderr;
  t.match(out, "RESULT {'FINISHED'}", 'the operator finished');
  const m = /one-time link\): (http:\/\/127\.0\.0\.1:\d+\/login\?code=[0-9a-f]{64})/.exec(out);
  t.ok(m, 'it reported the login link');
  const url = m![1]!;
  t.equal(new URL(url).port, String(daemon.port), 'for this daemon');
  const first = await fetch(url, { redirect: 'manual' });
  t.equal(first.status, 303, 'the link logs in');
  t.match(first.headers.get('set-cookie') ?? '', /colophon_session=[0-9a-f]{64}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict/);
  const second = await fetch(url, { redirect: 'manual' });
  t.equal(second.status, 403, 'but only once');
});

t.test('without a daemon the button says so and does not fail Blender', { skip }, async (t) => {
  const root = await tempHome('colophon-dash-blender-none-');
  const scripts = path.join(root, 'scripts');
  await fs.mkdir(path.join(scripts, 'addons'), { recursive: true });
  await fs.symlink(path.join(repo, 'blender-addon', 'colophon'), path.join(scripts, 'addons', 'colophon'), 'dir');
  const env = { ...process.env, BLENDER_USER_SCRIPTS: scripts, BLENDER_USER_CONFIG: path.join(root, 'config'), COLOPHON_HOME: path.join(root, 'home') };
  const { stdout, stderr } = await run(
    BLENDER,
    ['-b', '--factory-startup', '--python-exit-code', '1', '--addons', 'colophon', '--python-expr', 'import bpy; print("RESULT", bpy.ops.colophon.open_dashboard())'],
    { env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const out = stdout + stderr;
  t.match(out, "RESULT {'CANCELLED'}", 'the operator cancels');
  t.match(out, /cannot get a dashboard link/, 'and says why');
});
