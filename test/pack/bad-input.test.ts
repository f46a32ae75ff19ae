import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import { runPack, type PackOptions } from '../../server/pack/run.ts';
import { openServices } from '../../server/services.ts';
import { listAll, png, rawZip } from './helpers.ts';
import { FIXTURES } from '../helpers/pipeline-env.ts';
import { envForUnprivileged } from '../helpers/unprivileged.ts';

t.teardown(closeExifTool);

async function setup(root: string) {
  const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
  const opts = (extra: Partial<PackOptions> = {}): PackOptions => ({
    outDir: path.join(root, 'out'), market: 'generic', env: { profile: services.profile, ledger: null }, blender: null, ...extra,
  });
  return { root, opts };
}

t.test('zip entries escaping the folder or absolute are refused and never written', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  const img = await fs.readFile(path.join(FIXTURES, 'photos', 'Canon_40D.jpg'));
  const zip = path.join(root, 'evil.zip');
  await rawZip(zip, [
    { name: 'ok.jpg', data: img },
    { name: '../../escaped.txt', data: Buffer.from('x') },
    { name: '/tmp/absolute.txt', data: Buffer.from('x') },
    { name: '..\\win-escape.txt', data: Buffer.from('x') },
    { name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
  ]);
  const r = await runPack(zip, opts());
  t.same(r.results.map((x) => x.input.path), ['ok.jpg'], 'the safe entry is processed');
  const byInput = Object.fromEntries(r.errors.map((e) => [e.input, e]));
  t.match(byInput['../../escaped.txt'], { code: 'UNSAFE_ARCHIVE', message: /climbs out/ });
  t.match(byInput['/tmp/absolute.txt'], { code: 'UNSAFE_ARCHIVE', message: /absolute/ });
  t.match(byInput['..\\win-escape.txt'], { code: 'UNSAFE_ARCHIVE' });
  t.match(byInput['link'], { code: 'UNSAFE_ARCHIVE', message: /symlink/ });
  const everything = await listAll(root);
  t.notOk(everything.some((f) => /escaped|absolute|win-escape/.test(f)), 'nothing extracted anywhere');
  await t.rejects(fs.stat('/tmp/absolute.txt'), 'absolute entry not written');
});

t.test('zip bombs are refused before anything is extracted', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  const big = path.join(root, 'big.zip');
  await rawZip(big, [{ name: 'a.png', data: Buffer.alloc(100) }, { name: 'huge.bin', data: Buffer.alloc(1000), declaredSize: 4_000_000_000 }]);
  await t.rejects(runPack(big, opts()), { key: 'UNSAFE_ARCHIVE', message: /huge\.bin.*refused before extracting anything/ });
  const many = path.join(root, 'many.zip');
  await rawZip(many, [{ name: 'a.txt', data: Buffer.from('a') }], 60_000);
  await t.rejects(runPack(many, opts()), { key: 'UNSAFE_ARCHIVE', message: /declares 60000 entries/ });
  const total = path.join(root, 'total.zip');
  await rawZip(total, [{ name: 'a.bin', data: Buffer.alloc(2048) }, { name: 'b.bin', data: Buffer.alloc(2048) }]);
  await t.rejects(runPack(total, opts({ zipLimits: { maxTotalBytes: 3000 } })), { key: 'UNSAFE_ARCHIVE', message: /would expand to/ });
  for (const name of ['big', 'many', 'total']) {
    const staged = await listAll(path.join(root, 'out', name, '.colophon-work')).catch(() => []);
    t.same(staged.filter((f) => f.startsWith('input/')), [], `${name}: nothing extracted`);
  }
});

t.test('symlinks out of the pack and symlink loops are failures, the rest is processed', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  const pack = path.join(root, 'Links');
  await png(path.join(pack, 'Wall_BaseColor.png'), 64, 64, [1, 2, 3]);
  await fs.writeFile(path.join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
  await fs.symlink(path.join(root, 'secret.txt'), path.join(pack, 'outside.txt'));
  await fs.symlink('loop-b', path.join(pack, 'loop-a'));
  await fs.symlink('loop-a', path.join(pack, 'loop-b'));
  await fs.symlink('Wall_BaseColor.png', path.join(pack, 'inside-link.png'));
  const r = await runPack(pack, opts());
  const byInput = Object.fromEntries(r.errors.map((e) => [e.input, e]));
  t.match(byInput['outside.txt'], { code: 'UNSAFE_ARCHIVE', message: /outside the pack/ });
  t.match(byInput['loop-a'], { code: 'UNSAFE_ARCHIVE', message: /loop/ });
  t.match(byInput['loop-b'], { code: 'UNSAFE_ARCHIVE', message: /loop/ });
  t.same(r.results.map((x) => x.input.path).sort(), ['Wall_BaseColor.png', 'inside-link.png']);
  const zipBytes = await fs.readFile(r.archive.path);
  t.notOk(zipBytes.includes('TOP-SECRET-CONTENT'), 'the outside file is not in the delivery zip');
});

t.test('names differing only in case are processed and reported as a clash', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  const pack = path.join(root, 'Case');
  await png(path.join(pack, 'Rock.png'), 64, 64, [9, 9, 9]);
  await png(path.join(pack, 'rock.png'), 64, 64, [19, 9, 9]);
  const r = await runPack(pack, opts());
  t.equal(r.results.length, 2);
  const clash = (r.report.findings as Array<{ id: string; severity: string; files: string[] }>).find((f) => f.id === 'case-clash');
  t.equal(clash?.severity, 'fail');
  t.same(clash?.files, ['Rock.png ↔ rock.png']);
  t.equal(r.report.ok, false);
});

t.test('the pack\'s own LICENSE.txt and previews with the same stem do not overwrite anything', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  const pack = path.join(root, 'Own');
  await fs.mkdir(pack);
  await fs.writeFile(path.join(pack, 'LICENSE.txt'), 'my own licence');
  await fs.copyFile(path.join(FIXTURES, 'photos', 'Canon_40D.jpg'), path.join(pack, 'hero.jpg'));
  await sharp(path.join(FIXTURES, 'photos', 'landscape_6.jpg')).png().toFile(path.join(pack, 'hero.png'));
  const r = await runPack(pack, opts());
  t.same(r.errors, []);
  const x = path.join(root, 'x');
  await fs.mkdir(x);
  execFileSync('unzip', ['-q', r.archive.path, '-d', x]);
  t.equal(await fs.readFile(path.join(x, 'LICENSE.txt'), 'utf8'), 'my own licence', 'the pack\'s licence is kept as it is');
  t.match(await fs.readFile(path.join(x, 'COLOPHON-LICENSE.txt'), 'utf8'), /Article 4\(3\)/);
  t.match(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: x, encoding: 'utf8' }), /LICENSE\.txt: OK/);
  t.ok((r.report.findings as Array<{ id: string }>).some((f) => f.id === 'name-clash'), 'the clash is reported');
  const names = r.public.map((o) => path.basename(o.path)).sort();
  t.same(names, ['hero.jpg.preview.jpg', 'hero.png.preview.jpg']);
});

t.test('an empty pack is a clear error', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  await fs.mkdir(path.join(root, 'Empty'));
  await t.rejects(runPack(path.join(root, 'Empty'), opts()), { key: 'EMPTY_FILE', message: /has no files/ });
  await fs.writeFile(path.join(root, 'Empty', '.DS_Store'), 'x');
  await t.rejects(runPack(path.join(root, 'Empty'), opts()), { message: /clutter/ });
  await t.rejects(runPack(path.join(root, 'missing'), opts()), { key: 'FILE_NOT_FOUND', message: /Check the path/ });
  await fs.writeFile(path.join(root, 'notes.txt'), 'x');
  await t.rejects(runPack(path.join(root, 'notes.txt'), opts()), { key: 'UNSUPPORTED_FORMAT', message: /neither a folder nor a zip/ });
});

t.test('an unreadable file inside a pack fails with a reason', async (t) => {
  // Root reads through mode 000, so the pack runs in a child that drops to an unprivileged user first.
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-pack-perm-'));
  t.teardown(() => fs.rm(root, { recursive: true, force: true }));
  const pack = path.join(root, 'Locked');
  await png(path.join(pack, 'ok.png'), 32, 32, [1, 1, 1]);
  await png(path.join(pack, 'locked.png'), 32, 32, [2, 2, 2]);
  const out = path.join(root, 'out');
  await fs.mkdir(out);
  for (const d of [root, pack, out]) await fs.chmod(d, 0o777);
  await fs.chmod(path.join(pack, 'ok.png'), 0o644);
  await fs.chmod(path.join(pack, 'locked.png'), 0o000);
  const child = path.resolve(import.meta.dirname, '../helpers/pack-unprivileged.ts');
  const r = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child, out, pack], { encoding: 'utf8', env: envForUnprivileged(out) }));
  t.not(r.uid, 0, 'ran without root privileges');
  t.match(r.errors, [{ input: 'locked.png', code: 'UNREADABLE' }]);
  t.same(r.results, ['ok.png']);
});

t.test('a file that changes while the pack is made fails and is not shipped as it was', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  const pack = path.join(root, 'Changing');
  await png(path.join(pack, 'stable.png'), 32, 32, [1, 1, 1]);
  await png(path.join(pack, 'growing.png'), 32, 32, [2, 2, 2]);
  const r = await runPack(pack, opts({
    concurrency: 1,
    // Blender or a copy still writing: the file grows after the pack listed it.
    onProgress: (_done, _total, current) => {
      if (current === 'growing.png') appendFileSync(path.join(pack, 'growing.png'), Buffer.alloc(10));
    },
  }));
  t.match(r.errors, [{ input: 'growing.png', code: 'CHANGED_WHILE_READING', message: /changed while/ }]);
  t.same(r.results.map((x) => x.input.path), ['stable.png']);
});

t.test('a damaged zip is a clear error', async (t) => {
  const { root, opts } = await setup(t.testdir({ home: {} }));
  await fs.writeFile(path.join(root, 'broken.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(50)]));
  await t.rejects(runPack(path.join(root, 'broken.zip'), opts()), { key: 'CORRUPT_FILE', message: /not a readable zip/ });
});
