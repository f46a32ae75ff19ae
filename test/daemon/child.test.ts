// The child guard (server/util/child.ts): memory cap, time limit, abort, and no child outliving its parent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { blenderMemoryCap } from '../../server/pack/blend-deps.ts';
import { childrenDieWithUs, runGuarded } from '../../server/util/child.ts';

const MiB = 1024 * 1024;
// Perl builds a 300 MiB string: fine under a 1 GiB cap, impossible under 128 MiB.
const eat = ['-e', 'my $x = "a" x (300 * 1024 * 1024); print "built ", length($x), "\\n";'];

const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

t.test('the memory cap stops a child that grows past it, and only that one', async (t) => {
  const roomy = await runGuarded('perl', eat, { maxMemoryBytes: 1024 * MiB });
  t.equal(roomy.code, 0, 'under a roomy cap the allocation succeeds');
  t.match(roomy.stdout, /built 314572800/);
  const tight = await runGuarded('perl', eat, { maxMemoryBytes: 128 * MiB });
  t.not(tight.code, 0, 'under 128 MiB it fails');
  t.notMatch(tight.stdout, /built/, 'and never finished the allocation');
  t.match(tight.stderr, /Out of memory/i, 'perl says why');
});

t.test('the time limit ends a child that runs too long', async (t) => {
  const started = Date.now();
  const r = await runGuarded('sleep', ['30'], { timeoutMs: 300 });
  t.equal(r.timedOut, true);
  t.equal(r.signal, 'SIGTERM');
  t.ok(Date.now() - started < 5000, 'well before it would have ended by itself');
});

// An ignored signal stays ignored across exec, so this sleep shrugs off SIGTERM.
t.test('a SIGTERM-deaf child is killed after the grace period', async (t) => {
  const started = Date.now();
  const r = await runGuarded('sh', ['-c', 'trap "" TERM; exec sleep 30'], { timeoutMs: 200 });
  t.equal(r.timedOut, true);
  t.equal(r.signal, 'SIGKILL');
  t.ok(Date.now() - started < 8000);
});

t.test('an abort signal ends the child', async (t) => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const r = await runGuarded('sleep', ['30'], { signal: ac.signal });
  t.equal(r.aborted, true);
  t.equal(r.code, null);
});

t.test('a child does not outlive a parent killed with SIGKILL', { skip: !childrenDieWithUs() && 'needs setpriv (util-linux, Linux only)' }, async (t) => {
  const parent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'guarded-parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  t.ok(alive(pid), `the guarded child (pid ${pid}) runs while its parent lives`);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  t.match(status, new RegExp(`PPid:\\s+${parent.pid}\\b`), 'as a direct child: the wrappers exec, they do not stay in between');
  parent.kill('SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.notOk(alive(pid), 'the child died with its parent');
});

t.test('Blender\'s cap: room for real scenes, none for a small file that inflates to GiBs', async (t) => {
  const GiB = 1024 ** 3;
  t.equal(blenderMemoryCap(4 * MiB), 3 * GiB, 'a 4 MB .blend gets the 3 GiB floor (a 4 GiB inflation bomb fails)');
  t.equal(blenderMemoryCap(512 * MiB), Math.min(8 * GiB, Math.max(3 * GiB, os.totalmem())), 'a 512 MiB compressed scene gets 16× its size (8 GiB), up to the machine\'s RAM');
  t.ok(blenderMemoryCap(100 * GiB) <= Math.max(3 * GiB, os.totalmem()), 'never more than the machine has');
});
