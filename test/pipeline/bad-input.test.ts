import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { processFile, processPaths } from '../../server/pipeline/process.ts';
import { FIXTURES, makeEnv, makeImage, pngClaiming, run } from '../helpers/pipeline-env.ts';
import { envForUnprivileged } from '../helpers/unprivileged.ts';

t.test('each bad input gives a Failure with a clear message; the good file is still processed', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const good = await makeImage(path.join(dir, 'good.png'), 80, 60);
  const empty = path.join(dir, 'empty.jpg');
  await fs.writeFile(empty, '');
  const full = await fs.readFile(await makeImage(path.join(dir, 'full.png'), 400, 300));
  const truncPng = path.join(dir, 'truncated.png');
  await fs.writeFile(truncPng, full.subarray(0, Math.floor(full.length / 2)));
  const fullJpg = await fs.readFile(await makeImage(path.join(dir, 'full.jpg'), 400, 300, { format: 'jpeg' }));
  const truncJpg = path.join(dir, 'truncated.jpg');
  await fs.writeFile(truncJpg, fullJpg.subarray(0, Math.floor(fullJpg.length / 2)));
  const textPng = path.join(dir, 'readme.png');
  await fs.writeFile(textPng, 'Hello, this is text.\n');
  const huge = path.join(dir, 'claims_huge.png');
  await fs.writeFile(huge, pngClaiming(50000, 50000));
  const missing = path.join(dir, 'does-not-exist.png');
  const inputs = [
    good, empty, truncPng, truncJpg, textPng, huge, missing,
    path.join(FIXTURES, 'exr/damaged-1.exr'), path.join(FIXTURES, 'exr/damaged-2.exr'), path.join(FIXTURES, 'exr/damaged-3.exr'),
    path.join(FIXTURES, 'blend/corrupt_only_magic.blend'), path.join(FIXTURES, 'photos/corrupted.jpg'),
  ];
  const r = await processPaths(inputs, { source: 'cli' }, env);
  t.same(r.results.map((x) => x.input.path), [good], 'the good file is processed');
  const code = Object.fromEntries(r.errors.map((e) => [path.basename(e.input), e]));
  const expect: Record<string, [string, RegExp]> = {
    'empty.jpg': ['EMPTY_FILE', /empty \(0 bytes\).*write it again/],
    'truncated.png': ['CORRUPT_FILE', /PNG is damaged: it is truncated/],
    'truncated.jpg': ['CORRUPT_FILE', /JPEG is damaged: it ends before its end-of-image marker/],
    'readme.png': ['UNSUPPORTED_FORMAT', /named \.png but its content is text/],
    'claims_huge.png': ['TOO_LARGE', /50000×50000.*limit/],
    'does-not-exist.png': ['FILE_NOT_FOUND', /does not exist\. Check the path/],
    'damaged-1.exr': ['CORRUPT_FILE', /not a readable OpenEXR/],
    'damaged-2.exr': ['CORRUPT_FILE', /not a readable OpenEXR/],
    'damaged-3.exr': ['CORRUPT_FILE', /not a readable OpenEXR/],
    'corrupt_only_magic.blend': ['CORRUPT_FILE', /no scene data/],
    'corrupted.jpg': ['CORRUPT_FILE', /JPEG is damaged: its compressed picture data \(from byte \d+ on\) is corrupt/],
  };
  for (const [name, [c, msg]] of Object.entries(expect)) {
    t.equal(code[name]?.code, c, `${name}: ${c}`);
    t.match(code[name]?.message ?? '', msg, `${name}: message`);
  }
  t.equal(r.errors.length, Object.keys(expect).length);
  const written = await fs.readdir(path.join(env.outRoot, 'private'));
  t.equal(written.length, 1, 'failed inputs leave no outputs');
});

t.test('a directory where a file is expected', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir({ sub: {} });
  await t.rejects(processFile(dir, { source: 'cli' }, env), { name: 'ColophonError', key: 'NOT_A_FILE' });
  const good = await makeImage(path.join(dir, 'g.png'), 40, 40);
  await t.rejects(processFile(good, { source: 'f12', display: dir }, env), { key: 'NOT_A_FILE', message: /is a folder/ });
  const r = await processPaths([path.join(dir, 'sub')], { source: 'cli' }, env);
  t.match(r.errors, [{ code: 'NOT_A_FILE', message: /folder with no files/ }]);
});

t.test('an unreadable file', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-perm-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.chmod(dir, 0o777);
  const locked = await makeImage(path.join(dir, 'locked.png'), 40, 40);
  await fs.chmod(locked, 0o000);
  const good = await makeImage(path.join(dir, 'ok.png'), 40, 40);
  await fs.chmod(good, 0o644);
  const out = path.join(dir, 'out');
  await fs.mkdir(out, { mode: 0o777 });
  await fs.chmod(out, 0o777);
  const child = path.resolve(import.meta.dirname, '../helpers/process-unprivileged.ts');
  const res = await run(process.execPath, ['--import', 'tsx', child, out, locked, good], { env: envForUnprivileged(out) });
  const report = JSON.parse(res.stdout);
  t.not(report.uid, 0, 'ran without root privileges');
  t.equal(report.results.length, 1, 'the readable file is still processed');
  t.match(report.errors, [{ input: locked, code: 'UNREADABLE', message: /cannot be read \(permission denied\).*permissions/ }]);
});

t.test('a file that changes while being read is never recorded under a wrong hash', async (t) => {
  const env = await makeEnv(t);
  const f = path.join(t.testdir(), 'growing.bin');
  await fs.writeFile(f, Buffer.alloc(24 << 20, 7));
  let stop = false;
  // Keep appending while it is processed: either the change is caught, or the master matches the recorded hash.
  const writer = (async () => {
    for (let i = 0; i < 400 && !stop; i++) {
      await fs.appendFile(f, Buffer.alloc(64 << 10, i));
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const outcome = await processFile(f, { source: 'cli' }, env).then((r) => r, (e: unknown) => e);
  stop = true;
  await writer;
  if (outcome instanceof Error) {
    t.match(outcome, { key: 'CHANGED_WHILE_READING', message: /changed while it was being (read|processed)/ });
    const left = await fs.readdir(env.outRoot, { recursive: true, withFileTypes: true }).catch(() => []);
    t.same(left.filter((e) => e.isFile()).map((e) => e.name), [], 'no output files for it');
  } else {
    const r = outcome as { input: { sha256: string }; outputs: Array<{ purpose: string; path: string }> };
    const master = r.outputs.find((o) => o.purpose === 'master')!;
    const { createHash } = await import('node:crypto');
    t.equal(createHash('sha256').update(await fs.readFile(master.path)).digest('hex'), r.input.sha256, 'master bytes match the recorded hash');
  }
});

t.test('cancellation stops before anything is written', async (t) => {
  const env = await makeEnv(t);
  const f = await makeImage(path.join(t.testdir(), 'c.png'), 64, 64);
  const ac = new AbortController();
  ac.abort();
  await t.rejects(processFile(f, { source: 'cli', signal: ac.signal }, env), { name: 'ColophonError', key: 'CANCELLED' });
  await t.rejects(fs.stat(path.join(env.outRoot, 'private')));
});
