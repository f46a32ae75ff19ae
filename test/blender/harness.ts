// Shared by the real-Blender tests: a sandbox (add-on linked into a private Blender config, a COLOPHON_HOME),
// the real daemon (`colophon serve --port 0`) and readers for what it wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
import { FIXTURES } from '../helpers/fixtures.ts';
export { FIXTURES };
const ADDON = path.join(REPO, 'blender-addon', 'colophon');
export const BLENDER = process.env.BLENDER ?? '/usr/bin/blender';

export function onPath(cmd: string): boolean {
  if (path.isAbsolute(cmd)) return existsSync(cmd);
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => existsSync(path.join(d, cmd)));
}

/** A temp folder with the add-on linked where Blender looks for user add-ons, a private Blender config and a COLOPHON_HOME. */
export async function sandbox(name: string) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `colophon-blender-${name}-`));
  const scripts = path.join(root, 'scripts');
  await fs.mkdir(path.join(scripts, 'addons'), { recursive: true });
  await fs.symlink(ADDON, path.join(scripts, 'addons', 'colophon'), 'dir');
  const dirs = { root, scripts, config: path.join(root, 'config'), home: path.join(root, 'home'), work: path.join(root, 'work') };
  await fs.mkdir(dirs.config);
  await fs.mkdir(dirs.home);
  await fs.mkdir(dirs.work);
  return dirs;
}

export type Sandbox = Awaited<ReturnType<typeof sandbox>>;

/** The environment that points Blender at the sandbox's add-on, config and COLOPHON_HOME. */
export function blenderEnv(box: Sandbox): NodeJS.ProcessEnv {
  return { ...process.env, BLENDER_USER_SCRIPTS: box.scripts, BLENDER_USER_CONFIG: box.config, COLOPHON_HOME: box.home };
}

/** Copies fixture .blend files into the sandbox (the originals are never opened, so never modified). */
export async function fixtureBlend(box: Sandbox, ...names: string[]): Promise<string[]> {
  const out = [];
  for (const n of names) {
    const dest = path.join(box.work, n);
    await fs.copyFile(path.join(FIXTURES, 'blend', n), dest);
    await fs.chmod(dest, 0o644);
    out.push(dest);
  }
  return out;
}

/** `colophon serve --port 0` in this sandbox's COLOPHON_HOME; resolves once daemon.json names it. */
export async function startDaemon(box: Sandbox): Promise<{ child: ChildProcess; log: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'colophon.js'), 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, COLOPHON_HOME: box.home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = path.join(box.home, 'daemon.json');
  for (let i = 0; i < 600; i++) {
    // A signal leaves exitCode null; signalCode says the daemon died of one (a stray kill, the OOM killer).
    if (child.exitCode != null || child.signalCode != null) throw new Error(`colophon serve exited (${child.signalCode ?? child.exitCode}): ${log}`);
    try {
      const parsed = JSON.parse(await fs.readFile(info, 'utf8')) as { pid: number };
      if (parsed.pid === child.pid) break;
    } catch { /* not written yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!existsSync(info)) throw new Error(`colophon serve wrote no daemon.json: ${log}`);
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function ledger(box: Sandbox): Promise<Array<Record<string, any>>> {
  const text = await fs.readFile(path.join(box.home, 'ledger.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
