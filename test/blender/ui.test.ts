// The add-on with Blender's UI running (under a virtual X server): results come back through the add-on's
// drain timer and the Colophon panel draws them. Needs xvfb-run (Debian package `xvfb`) besides blender.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { FIXTURES } from '../helpers/fixtures.ts';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const BLENDER = process.env.BLENDER ?? '/usr/bin/blender';

function onPath(cmd: string): boolean {
  if (path.isAbsolute(cmd)) return existsSync(cmd);
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => existsSync(path.join(d, cmd)));
}

const skip = !onPath(BLENDER) ? 'blender not installed' : !onPath('xvfb-run') ? 'xvfb-run not installed (apt-get install xvfb xauth)' : false;

t.test('interactive Blender: F12 and Ctrl+F12 as render jobs, answers through the drain timer, the panel draws them', { skip }, async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-blender-ui-'));
  const dirs = { scripts: path.join(root, 'scripts'), config: path.join(root, 'config'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp') };
  for (const d of Object.values(dirs)) await fs.mkdir(d, { recursive: true });
  await fs.mkdir(path.join(dirs.scripts, 'addons'));
  await fs.symlink(path.join(REPO, 'blender-addon', 'colophon'), path.join(dirs.scripts, 'addons', 'colophon'), 'dir');
  const blend = path.join(root, 'particle.blend');
  await fs.copyFile(path.join(FIXTURES, 'blend', 'particle.blend'), blend);

  const daemon = spawn(process.execPath, [path.join(REPO, 'bin', 'colophon.js'), 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, COLOPHON_HOME: dirs.home }, stdio: 'ignore',
  });
  const exited = new Promise((r) => daemon.once('exit', r));
  t.teardown(async () => {
    if (daemon.exitCode == null) daemon.kill('SIGTERM');
    await exited;
    await fs.rm(root, { recursive: true, force: true });
  });
  for (let i = 0; i < 600 && !existsSync(path.join(dirs.home, 'daemon.json')); i++) await new Promise((r) => setTimeout(r, 100));
  t.ok(existsSync(path.join(dirs.home, 'daemon.json')), 'daemon is up');

  const env = {
    ...process.env, BLENDER_USER_SCRIPTS: dirs.scripts, BLENDER_USER_CONFIG: dirs.config, COLOPHON_HOME: dirs.home,
    TMPDIR: dirs.tmp, TEMP: dirs.tmp, // Blender writes quit.blend to its temp dir when it quits
  };
  const frames = path.join(root, 'frames');
  await fs.mkdir(frames);
  const { stdout, stderr } = await run('xvfb-run', ['-a', '-s', '-screen 0 1280x800x24', BLENDER, '--factory-startup',
    '--addons', 'colophon', blend, '--python', path.join(import.meta.dirname, 'ui_session.py'), '--', frames],
  { env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  const line = stdout.split('\n').find((l) => l.startsWith('COLOPHON_UI '));
  t.ok(line, 'the UI session reported');
  const report = JSON.parse(line!.slice('COLOPHON_UI '.length));
  t.same(report.f12, ['RUNNING_MODAL'], 'F12 ran as Blender\'s render job');
  t.equal(report.answeredRightAfterF12, 0, 'F12 did not wait for the daemon');
  t.same(report.afterF12, ['f12'], 'the drain timer brought the F12 answer in');
  t.same(report.sources, ['f12', 'animation', 'animation', 'animation'], 'Ctrl+F12: each frame once, from the render thread');
  t.same(report.frames.slice(1), [1, 2, 3]);
  t.same((await fs.readdir(frames)).sort(), ['frame_0001.png', 'frame_0002.png', 'frame_0003.png']);
  t.equal(report.state, 'connected');
  t.match(report.lines.join('\n'), /public preview: .*frame_0003\.preview\.jpg/);
  t.ok(report.panel > 0, 'the Colophon panel drew');
  t.same(report.errors, [], 'without errors');
  t.notMatch(stderr + stdout, /Traceback/, 'no Python traceback anywhere');
});
