// Issue 12 items 5, 12 and parts of 15, against the real CLI: a seller's own manifest.json survives into the
// buyer's zip, zip bombs made of many modest entries are refused early, a zip that does not fit on the disk
// is refused before extracting, `pack --json` always prints its document, and two clean runs give the same zip.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { mountTmpfs, tmpfsUnavailable } from '../ledger/tmpfs.ts';
import { zeroBomb } from './bad-files.ts';
import { listAll, png } from './helpers.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');

async function setup(t: { teardown(fn: () => unknown): void }) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-packfaults-'));
  t.teardown(() => fs.rm(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  await fs.mkdir(home);
  const pack = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, 'pack', ...args, '--json'], { env: { ...process.env, COLOPHON_HOME: home }, encoding: 'utf8' });
    let json: any = null;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      // left null: the test asserts on it
    }
    return { status: r.status, json, err: r.stderr };
  };
  return { root, home, pack };
}

function unzip(zip: string, dest: string): void {
  execFileSync('unzip', ['-q', '-o', zip, '-d', dest]);
}

t.test('a seller\'s manifest.json is delivered as it is, sha256sum -c passes, and two clean runs deliver the same files', async (t) => {
  const { root, pack } = await setup(t);
  const src = path.join(root, 'Bricks');
  await png(path.join(src, 'textures', 'Brick_BaseColor.png'), 64, 64, [180, 60, 40]);
  await png(path.join(src, 'renders', 'hero.png'), 320, 200, [20, 90, 160]);
  const sellers = JSON.stringify({ pack: 'Bricks', by: 'the seller', files: 2 }, null, 2) + '\n';
  await fs.writeFile(path.join(src, 'manifest.json'), sellers);
  await fs.writeFile(path.join(src, 'renders', 'manifest.json.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>\n');
  await fs.writeFile(path.join(src, 'empty.png'), '');
  await fs.writeFile(path.join(src, 'notes.png'), 'not a picture at all');

  const runs = [];
  for (const out of ['out1', 'out2']) {
    const r = pack(src, '--out', path.join(root, out));
    t.ok(r.json != null, `${out}: JSON on stdout`);
    runs.push(r.json);
  }
  const [a, b] = runs;
  // Each member's Content Credential carries its own signing time and signature, so two fresh runs cannot be
  // byte-identical; what the buyer gets (the files and their names) is the same.
  const entries = (zip: string) => spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
  t.same(entries(a.archive.path), entries(b.archive.path), 'two clean runs into different folders deliver the same files under the same names');
  t.ok(entries(a.archive.path).length > 4, 'the delivery holds the pack\'s files');

  const dest = path.join(root, 'unzipped');
  unzip(a.archive.path, dest);
  t.equal(await fs.readFile(path.join(dest, 'manifest.json'), 'utf8'), sellers, 'the buyer gets the seller\'s manifest.json untouched');
  const ours = JSON.parse(await fs.readFile(path.join(dest, 'COLOPHON-manifest.json'), 'utf8'));
  t.equal(ours.generator, 'colophon pack', 'Colophon\'s own manifest sits beside it under another name');
  const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dest, encoding: 'utf8' });
  t.equal(check.status, 0, check.stdout + check.stderr);
  const text = await fs.readFile(path.join(dest, 'COLOPHON-manifest.json'), 'utf8');
  t.notMatch(text, /colophon-work|\.tmp|\/tmp\/|out1|out2/, 'no work-area or local paths in the delivered manifest');

  // The result names the master where it is delivered: the seller's manifest.json, as a member of the zip.
  const master = a.results.find((r: any) => r.input.path.endsWith('manifest.json'));
  const masterOut = master.outputs.find((o: any) => o.purpose === 'master');
  t.match(masterOut, { path: a.archive.path, entry: 'manifest.json' });
  t.equal(masterOut.sha256, createHash('sha256').update(sellers).digest('hex'), 'the delivered member is the seller\'s file');
  // In the work area, the asset's master is called manifest.json, so Colophon's record sits beside it.
  const work = path.join(path.dirname(path.dirname(a.archive.path)), '.colophon-work', 'private', master.assetId);
  t.equal(await fs.readFile(path.join(work, 'manifest.json'), 'utf8'), sellers);
  t.equal(JSON.parse(await fs.readFile(path.join(work, 'manifest.colophon.json'), 'utf8')).manifestVersion, 1);
  const again = pack(src, '--out', path.join(root, 'out1'));
  t.equal(again.json.archive.sha256, a.archive.sha256, 'a re-run reuses it and rebuilds the same zip');
  t.equal(again.json.report.summary.reused, a.report.summary.processed, 'everything was reused');
});

t.test('a zip bomb of 3000 × 1 MiB zero entries is refused before extracting, and --json still prints', async (t) => {
  const { root, pack } = await setup(t);
  const bomb = path.join(root, 'Zeros.zip');
  await zeroBomb(bomb, 3000);
  const zipBytes = (await fs.stat(bomb)).size;
  t.ok(zipBytes < 4_000_000, `the bomb is small (${zipBytes} bytes)`);
  const started = Date.now();
  const r = pack(bomb, '--out', path.join(root, 'out'));
  t.equal(r.status, 1);
  t.match(r.json, { results: [], archive: null, report: null, errors: [{ input: bomb, code: 'UNSAFE_ARCHIVE', message: /Zeros\.zip.*refused before extracting anything.*zip bomb/ }] });
  const staged = await listAll(path.join(root, 'out', 'Zeros', '.colophon-work', 'input')).catch(() => []);
  t.same(staged, [], 'nothing extracted');
  t.comment(`refused in ${Date.now() - started} ms`);

  // Entries one byte under the per-entry rule's 1 MiB: only the total against the zip's size catches them.
  const sly = path.join(root, 'Sly.zip');
  await zeroBomb(sly, 3000, 1024 ** 2 - 1);
  const r2 = pack(sly, '--out', path.join(root, 'out'));
  t.equal(r2.status, 1);
  t.match(r2.json, { archive: null, errors: [{ code: 'UNSAFE_ARCHIVE', message: /Sly\.zip \(3 MiB\) would expand to 3000 MiB in 3000 entries, over 100:1 overall; refused before extracting anything/ }] });
  t.same(await listAll(path.join(root, 'out', 'Sly', '.colophon-work', 'input')).catch(() => []), [], 'nothing extracted');
});

t.test('a truncated zip: --json prints { results, errors, archive: null, report: null }, exit 1', async (t) => {
  const { root, pack } = await setup(t);
  const good = path.join(root, 'good.zip');
  const zip = new yazl.ZipFile();
  zip.addBuffer(randomBytes(50_000), 'Pack/a.bin');
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(good));
  const buf = await fs.readFile(good);
  const cut = path.join(root, 'Cut.zip');
  await fs.writeFile(cut, buf.subarray(0, buf.length - 30));
  const r = pack(cut, '--out', path.join(root, 'out'));
  t.equal(r.status, 1);
  t.match(r.json, { results: [], archive: null, report: null, errors: [{ input: cut, code: 'CORRUPT_FILE', message: /Cut\.zip is not a readable zip/ }] });
});

t.test('a zip that would not fit on the output drive is refused before extracting (DISK_FULL)', { skip: tmpfsUnavailable() ?? false }, async (t) => {
  const { root, pack } = await setup(t);
  const out = await mountTmpfs(t, 24 * 1024 ** 2);
  const zip = new yazl.ZipFile();
  for (let i = 0; i < 3; i++) zip.addBuffer(randomBytes(8 * 1024 ** 2), `Big/part${i}.bin`, { compress: false });
  zip.end();
  const file = path.join(root, 'Big.zip');
  await pipeline(zip.outputStream, createWriteStream(file));
  const r = pack(file, '--out', out);
  t.equal(r.status, 1);
  t.match(r.json, { errors: [{ code: 'DISK_FULL', message: /would expand to 24 MiB but the drive .* has only \d+ MiB free.*Free some space.*nothing was half-written/ }] });
  const staged = await listAll(path.join(out, 'Big', '.colophon-work', 'input')).catch(() => []);
  t.same(staged, [], 'nothing extracted');
});
