// `colophon serve` says when the profile has no creator, as `colophon process` does: every render it stamps
// would otherwise carry the OS user name without the artist noticing.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

const BIN = path.resolve(import.meta.dirname, '../../bin/colophon.js');

/** Starts `serve --port 0`, returns its stderr once it says it is listening, then stops it. */
async function serveBanner(home: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--quiet'], { env: { ...process.env, COLOPHON_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('listening on')) resolve();
    });
    child.once('exit', () => reject(new Error(`serve exited: ${err}`)));
  });
  child.kill('SIGTERM');
  await exited;
  return err;
}

t.test('serve warns about an unset creator, and not once it is set', async (t) => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-serve-warn-'));
  t.teardown(() => fs.rm(home, { recursive: true, force: true }));
  t.match(await serveBanner(home), /warning: creator is not set; using the OS user name .*colophon init --creator/);
  await promisify(execFile)(process.execPath, [BIN, 'init', '--creator', 'Jane Artist'], { env: { ...process.env, COLOPHON_HOME: home } });
  t.notMatch(await serveBanner(home), /creator is not set/);
});
