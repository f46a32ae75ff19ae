// Issue 12 items 3 and 14 (DISK_FULL): a full disk never leaves a partial ledger or journal line that is
// reported as written, and the user gets DISK_FULL with a sentence, not a raw ENOSPC.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';
import { Journal } from '../../server/pack/journal.ts';
import { makeImage } from '../helpers/pipeline-env.ts';
import { fillDisk, mountTmpfs, tmpfsUnavailable } from './tmpfs.ts';

const skip = tmpfsUnavailable() ?? false;
const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');

/** A payload long enough that a line never fits in the slack of the ledger's last page: the write is short. */
const big = (i: number) => ({ i, note: 'x'.repeat(9000) });

t.test('ledger: a partial write on a full disk is cut back, reported as DISK_FULL, and the next append gets a fresh seq', { skip }, async (t) => {
  const dir = await mountTmpfs(t, 256 * 1024);
  const file = path.join(dir, 'ledger.jsonl');
  const ledger = new Ledger(file);
  for (let i = 0; i < 3; i++) await ledger.append('notice.changed', { i });
  const before = await fs.readFile(file);
  const filler = await fillDisk(dir);

  await t.rejects(ledger.append('notice.changed', big(3)), { key: 'DISK_FULL', message: /Free some space.*nothing was half-written/ });
  t.same(await fs.readFile(file), before, 'the ledger is byte-for-byte what it was: no partial line');
  t.match(await ledger.verify(), { ok: true, entries: 3 });
  // A second failure in the same process must not have learnt a wrong size either.
  await t.rejects(ledger.append('notice.changed', big(3)), { key: 'DISK_FULL', message: /full/ });

  await fs.rm(filler);
  const e = await ledger.append('notice.changed', big(3));
  t.equal(e.seq, 3, 'the next append gets the seq the failed one never had');
  t.match(await ledger.verify(), { ok: true, entries: 4 });
  t.match(await new Ledger(file).verify(), { ok: true, entries: 4 }, 'and a fresh reader agrees');
});

t.test('pack journal: a partial append is cut back and the record is not kept', { skip }, async (t) => {
  const dir = await mountTmpfs(t, 256 * 1024);
  const file = path.join(dir, 'journal.jsonl');
  const rec = (key: string) => ({ key, settings: 's', result: { note: 'y'.repeat(9000) } as never, scan: {} as never });
  const j = new Journal(file);
  await j.load();
  await j.append(rec('a'));
  const before = await fs.readFile(file);
  const filler = await fillDisk(dir);
  await t.rejects(j.append(rec('b')), { code: 'ENOSPC' });
  t.same(await fs.readFile(file), before, 'no partial line left');
  t.equal(j.get('b', 's'), undefined, 'a record that was not written is not reported as journalled');
  await fs.rm(filler);
  await j.append(rec('c'));
  await j.close();
  const again = new Journal(file);
  await again.load();
  t.equal(again.size, 2);
  t.ok(again.get('a', 's') && again.get('c', 's'));
});

t.test('CLI: a full disk gives DISK_FULL naming the file, never raw ENOSPC, and the asset is recorded once space is back', { skip }, async (t) => {
  const home = await mountTmpfs(t, 1024 * 1024);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-diskfull-'));
  t.teardown(() => fs.rm(work, { recursive: true, force: true }));
  const input = await makeImage(path.join(work, 'render.png'), 640, 400);
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, COLOPHON_HOME: home }, encoding: 'utf8' });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  // One entry already there, so the ledger exists and the failed append has something to keep intact.
  spawnSync(process.execPath, [bin, 'init', '--creator', 'Jane Artist'], { env: { ...process.env, COLOPHON_HOME: home } });
  const other = await makeImage(path.join(work, 'other.png'), 64, 64, { seed: 5 });
  t.equal(cli('process', other, '--out', path.join(work, 'out'), '--json').status, 0);
  // Pad the ledger to a whole number of pages, so on the full disk not even part of the next line fits.
  const ledgerFile = path.join(home, 'ledger.jsonl');
  const ledger = new Ledger(ledgerFile);
  const size = async () => (await fs.stat(ledgerFile)).size;
  let s0 = await size();
  await ledger.append('notice.changed', { note: '' });
  const lineLength = (await size()) - s0;
  s0 = await size();
  await ledger.append('notice.changed', { note: 'p'.repeat(((4096 - (s0 % 4096)) % 4096) + 4096 - lineLength) });
  t.equal((await size()) % 4096, 0, 'ledger padded to a page boundary');

  // 1. Outputs on the full disk: the master copy fails.
  const filler = await fillDisk(home);
  let r = cli('process', input, '--out', path.join(home, 'out'), '--json');
  t.equal(r.status, 1, r.err);
  let report = JSON.parse(r.out);
  t.equal(report.errors.length, 1);
  t.match(report.errors[0], { input, code: 'DISK_FULL', message: /disk is full.*Free some space.*nothing was half-written/ });
  t.notMatch(report.errors[0].message, /ENOSPC|copyfile|\.tmp/);
  const leftovers = (await fs.readdir(path.join(home, 'out'), { recursive: true }).catch(() => [])).filter((n) => /\.tmp/.test(String(n)));
  t.same(leftovers, [], 'no temp files left behind');

  // 2. Outputs elsewhere, only the ledger's disk is full: the asset fails, no ledgerSeq is invented.
  r = cli('process', input, '--out', path.join(work, 'out'), '--json');
  t.equal(r.status, 1, r.err);
  report = JSON.parse(r.out);
  t.same(report.results, []);
  t.match(report.errors[0], { code: 'DISK_FULL', message: /evidence ledger.*Free some space/ });
  r = cli('ledger', 'verify', '--json');
  t.match(JSON.parse(r.out), { ok: true, entries: 3 });

  // 3. Space is back: recorded exactly once, as seq 3, and the manifest points at it.
  await fs.rm(filler);
  r = cli('process', input, '--out', path.join(work, 'out'), '--json');
  t.equal(r.status, 0, r.err);
  report = JSON.parse(r.out);
  t.equal(report.results[0].ledgerSeq, 3);
  r = cli('process', input, '--out', path.join(work, 'out'), '--json');
  t.equal(JSON.parse(r.out).results[0].ledgerSeq, 3, 'a re-run does not record it again');
  const entries = (await fs.readFile(ledgerFile, 'utf8')).trim().split('\n');
  t.equal(entries.length, 4);
  t.match(JSON.parse(cli('ledger', 'verify', '--json').out), { ok: true, entries: 4 });
});
