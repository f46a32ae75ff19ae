import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { isTempName } from '../../server/util/atomic.ts';
import { png } from './helpers.ts';

const BIN = path.resolve('bin/colophon.js');
const N = 24;

async function journalLines(file: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

t.test('a pack run killed half-way resumes without redoing finished files or leaving partial outputs', async (t) => {
  const root = t.testdir({ home: {} });
  const pack = path.join(root, 'Big');
  for (let i = 0; i < N; i++) await png(path.join(pack, `render_${String(i).padStart(2, '0')}.png`), 96, 64, [i * 10, 100, 200 - i * 5]);
  const out = path.join(root, 'out');
  const env = { ...process.env, COLOPHON_HOME: path.join(root, 'home') };
  const journal = path.join(out, 'Big', '.colophon-work', 'journal.jsonl');

  const child = spawn(process.execPath, [BIN, 'pack', pack, '--out', out, '--no-ledger'], { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Kill it hard once some (not all) files are finished.
  for (let i = 0; i < 600; i++) {
    if ((await journalLines(journal)) >= 4) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  const finished = await journalLines(journal);
  t.ok(finished >= 4 && finished < N, `killed after ${finished} of ${N} files`);
  await t.rejects(fs.stat(path.join(out, 'Big', 'private', 'Big.zip')), 'no delivery zip from the killed run');

  const r = spawnSync(process.execPath, [BIN, 'pack', pack, '--out', out, '--no-ledger', '--json'], { env, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { results: unknown[]; errors: unknown[]; report: { summary: { reused: number; processed: number } } };
  t.equal(res.results.length, N);
  t.same(res.errors, []);
  t.ok(res.report.summary.reused >= finished, `reused ${res.report.summary.reused} ≥ ${finished} finished before the kill`);
  t.ok(res.report.summary.reused < N, 'the rest was processed now');
  const leftovers = (await fs.readdir(path.join(out, 'Big'), { recursive: true })).filter((f) => isTempName(String(f)));
  t.same(leftovers, [], 'no temp files left behind');
  const check = spawnSync('sh', ['-c', `cd "${root}" && mkdir x && cd x && unzip -q "${path.join(out, 'Big', 'private', 'Big.zip')}" && sha256sum -c --quiet SHA256SUMS`], { encoding: 'utf8' });
  t.equal(check.status, 0, `sha256sum -c: ${check.stdout}${check.stderr}`);
});

t.test('colophon pack: usage errors exit 2, a missing pack exits 1', async (t) => {
  const root = t.testdir({ home: {} });
  const env = { ...process.env, COLOPHON_HOME: path.join(root, 'home') };
  const bad = spawnSync(process.execPath, [BIN, 'pack', root, '--profile', 'etsy'], { env, encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown --profile "etsy"/);
  const missing = spawnSync(process.execPath, [BIN, 'pack', path.join(root, 'nope'), '--out', path.join(root, 'o'), '--json'], { env, encoding: 'utf8' });
  t.equal(missing.status, 1);
  t.match(JSON.parse(missing.stdout), { results: [], archive: null, report: null, errors: [{ code: 'FILE_NOT_FOUND' }] }, '--json still prints its document when the pack cannot be read');
  t.match(missing.stderr, /does not exist|no such file/);
});
