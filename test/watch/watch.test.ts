import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import type { AssetResult, Failure } from '../../protocol/src/results.ts';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import { openServices } from '../../server/services.ts';
import { startWatch } from '../../server/watch/watcher.ts';
import { FIXTURES } from '../helpers/pipeline-env.ts';

const FIX = path.join(FIXTURES, 'photos');
t.teardown(closeExifTool);

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('watch processes existing and new files once, keeps going after a bad file', async (t) => {
  const root = t.testdir({ home: {}, inbox: {} });
  const inbox = path.join(root, 'inbox');
  await fs.copyFile(path.join(FIX, 'Canon_40D.jpg'), path.join(inbox, 'already-there.jpg'));
  const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
  const results: AssetResult[] = [];
  const failures: Failure[] = [];
  const lines: string[] = [];
  const w = await startWatch({
    folder: inbox,
    env: { profile: services.profile, outRoot: path.join(inbox, 'out'), ledger: services.ledger },
    stabilityMs: 150,
    log: (l) => lines.push(l),
    onResult: (r) => results.push(r),
    onFailure: (f) => failures.push(f),
  });
  t.teardown(() => w.close());
  await w.ready;
  await until(() => results.length === 1, 'the file already there');
  t.equal(results[0]!.source, 'watch');

  await fs.copyFile(path.join(FIX, 'corrupted.jpg'), path.join(inbox, 'bad.jpg'));
  await until(() => failures.length === 1, 'the bad file');
  t.equal(failures[0]!.input, 'bad.jpg');
  t.equal(failures[0]!.code, 'CORRUPT_FILE');

  // Written in two pieces, like a render still being saved: processed once, when complete.
  const data = await fs.readFile(path.join(FIX, 'landscape_6.jpg'));
  const fh = await fs.open(path.join(inbox, 'frame_0001.jpg'), 'w');
  await fh.write(data.subarray(0, 1000));
  await new Promise((r) => setTimeout(r, 60));
  await fh.write(data.subarray(1000));
  await fh.close();
  await until(() => results.length === 2, 'the new render');
  t.equal(results[1]!.input.bytes, data.length, 'processed after it was fully written');
  t.equal(results[1]!.input.path, path.join(await fs.realpath(inbox), 'frame_0001.jpg'));

  // The same content again under another name is not recorded twice.
  await fs.writeFile(path.join(inbox, 'copy.jpg'), data);
  await until(() => lines.some((l) => l.startsWith('= copy.jpg')), 'the duplicate to be skipped');
  await w.idle();
  t.equal(results.length, 2);
  t.equal(lines.filter((l) => l.startsWith('✓')).length, 2, 'one line per processed file');
  const recorded = (await services.ledger.readAll()).filter((e) => e.type === 'asset.recorded');
  t.equal(recorded.length, 2, 'each asset recorded once');
  const outFiles = await fs.readdir(path.join(inbox, 'out'), { recursive: true });
  t.ok(outFiles.length > 0, 'outputs written');
  await w.close();
  await services.close();
});

t.test('watch restarted on the same folder skips what the ledger already records', async (t) => {
  const root = t.testdir({ home: {}, inbox: {} });
  const inbox = path.join(root, 'inbox');
  await fs.copyFile(path.join(FIX, 'Canon_40D.jpg'), path.join(inbox, 'a.jpg'));
  const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
  const env = { profile: services.profile, outRoot: path.join(root, 'out'), ledger: services.ledger };
  const lines: string[] = [];
  const first = await startWatch({ folder: inbox, env, stabilityMs: 100, log: (l) => lines.push(l) });
  await first.ready;
  await until(() => lines.some((l) => l.startsWith('✓ a.jpg')), 'first run');
  await first.close();
  const second = await startWatch({ folder: inbox, env, stabilityMs: 100, log: (l) => lines.push(l) });
  await second.ready;
  await until(() => lines.some((l) => l.startsWith('= a.jpg')), 'second run to skip');
  await second.close();
  t.equal((await services.ledger.readAll()).length, 1);
  await services.close();
});

t.test('colophon watch logs one line per file and stops cleanly on SIGINT', async (t) => {
  const root = t.testdir({ home: {}, inbox: {} });
  const inbox = path.join(root, 'inbox');
  const child = spawn(process.execPath, [path.resolve('bin/colophon.js'), 'watch', inbox, '--out', path.join(root, 'out'), '--settle', '150'], {
    env: { ...process.env, COLOPHON_HOME: path.join(root, 'home') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(() => err.includes('watching'), 'the watcher to start', 30_000);
  await fs.copyFile(path.join(FIX, 'DSCN0010.jpg'), path.join(inbox, 'shot.jpg'));
  await until(() => err.includes('✓ shot.jpg'), 'the file to be processed', 30_000);
  child.kill('SIGINT');
  t.equal(await exit, 0, 'exit 0 after Ctrl-C');
  t.match(err, /stopped/);
});
