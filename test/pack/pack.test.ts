import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import yauzl from 'yauzl';
import { PackResultSchema } from '../../protocol/src/methods.ts';
import { closeExifTool, getExifTool } from '../../server/pipeline/exiftool.ts';
import { runPack } from '../../server/pack/run.ts';
import { openServices } from '../../server/services.ts';
import { listAll, png } from './helpers.ts';
import { FIXTURES } from '../helpers/pipeline-env.ts';

const FIX = FIXTURES;

t.teardown(closeExifTool);

async function makePack(root: string): Promise<string> {
  const pack = path.join(root, 'Brick Pack');
  await fs.mkdir(path.join(pack, 'renders'), { recursive: true });
  for (const f of ['Canon_40D.jpg', 'DSCN0010.jpg', 'corrupted.jpg']) await fs.copyFile(path.join(FIX, 'photos', f), path.join(pack, 'renders', f));
  await fs.copyFile(path.join(FIX, 'exr', 'GammaChart.exr'), path.join(pack, 'renders', 'GammaChart.exr'));
  for (const f of ['linked_cube.blend', 'basic_file.blend', 'missing_textures.blend']) await fs.copyFile(path.join(FIX, 'blend', f), path.join(pack, f));
  await png(path.join(pack, 'textures', 'Brick_BaseColor.png'), 256, 256, [170, 70, 50]);
  await png(path.join(pack, 'textures', 'Brick_Normal.png'), 256, 256, [128, 128, 255]);
  await png(path.join(pack, 'textures', 'Brick_Roughness.png'), 256, 256, [100, 100, 100]);
  await png(path.join(pack, 'textures', 'Tile_albedo_1k.png'), 300, 200, [200, 200, 190]);
  await png(path.join(pack, 'textures', 'Tile_nor_gl_1k.png'), 300, 200, [127, 127, 254]);
  await fs.writeFile(path.join(pack, 'readme for buyers.txt'), 'Open linked_cube.blend.\n');
  await fs.writeFile(path.join(pack, '.DS_Store'), 'junk');
  return pack;
}

function zipNames(file: string): Promise<string[]> {
  return zipMembers(file).then((members) => members.map((m) => m.name));
}

/** Each member's name, CRC-32, size and date, from the central directory: says which member changed, if one did. */
function zipMembers(file: string): Promise<Array<{ name: string; crc32: number; bytes: number; mtime: string }>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zf) => {
      if (err) return reject(err);
      const members: Array<{ name: string; crc32: number; bytes: number; mtime: string }> = [];
      zf.on('entry', (e: yauzl.Entry) => {
        members.push({ name: e.fileName, crc32: e.crc32, bytes: e.uncompressedSize, mtime: e.getLastModDate().toISOString() });
        zf.readEntry();
      });
      zf.on('end', () => resolve(members));
      zf.on('error', reject);
      zf.readEntry();
    });
  });
}

t.test('a folder pack: public previews, contact sheets, delivery zip, report; second run reuses', async (t) => {
  const root = t.testdir({ home: {} });
  const home = path.join(root, 'home');
  const pack = await makePack(root);
  const out = path.join(root, 'out');
  const services = await openServices({ COLOPHON_HOME: home });
  const before = await listAll(root);
  const progress: number[] = [];
  const r = await runPack(pack, {
    outDir: out, market: 'superhive', env: { profile: services.profile, ledger: services.ledger },
    onProgress: (done) => progress.push(done),
  });
  const packOut = path.join(out, 'Brick Pack');

  // Nothing written outside --out except the ledger in COLOPHON_HOME.
  const after = (await listAll(root)).filter((f) => !f.startsWith('out/') && !f.startsWith('home/'));
  t.same(after, before.filter((f) => !f.startsWith('home/')), 'no file appeared or vanished outside --out');

  t.equal(progress.at(-1), 13, 'progress reached the file count');
  t.ok(PackResultSchema.safeParse(r).success, 'the result matches the protocol\'s pack result schema');
  t.equal(r.errors.length, 1, 'one input failed');
  t.equal(r.errors[0]!.input, 'renders/corrupted.jpg');
  t.match(r.errors[0]!.message, /the JPEG is damaged/);
  t.notMatch(r.errors[0]!.message, root, 'failure messages do not leak local folders');

  // public/
  const pub = (await listAll(path.join(packOut, 'public'))).sort();
  t.same(pub, [
    'renders/Canon_40D.preview.jpg', 'renders/DSCN0010.preview.jpg', 'renders/GammaChart.preview.jpg',
    'textures/Brick.contact-sheet.jpg', 'textures/Tile.contact-sheet.jpg',
  ]);
  const sheet = path.join(packOut, 'public/textures/Brick.contact-sheet.jpg');
  const exiv = execFileSync('exiv2', ['-px', sheet], { encoding: 'utf8' });
  t.match(exiv, /Xmp\.plus\.DataMining\s+XmpText\s+\d+\s+http:\/\/ns\.useplus\.org\/ldf\/vocab\/DMI-PROHIBITED-AIMLTRAINING/, 'contact sheet stamped (exiv2)');
  const sheetTags = (await getExifTool().readRaw(sheet, ['-G1', '-XMP-dc:Creator', '-GPSLatitude'])) as Record<string, unknown>;
  t.equal(sheetTags['XMP-dc:Creator'], services.profile.creator.name, 'contact sheet creator (exiftool)');
  const sheetOut = r.public.find((o) => o.purpose === 'contact-sheet' && o.path === sheet);
  t.ok(sheetOut && sheetOut.width! > 256 * 2, 'contact sheet is a grid of the maps');

  // private zip
  t.equal(r.archive.path, path.join(packOut, 'private', 'Brick Pack.zip'));
  const names = await zipNames(r.archive.path);
  for (const n of ['LICENSE.txt', 'README.txt', 'manifest.json', 'SHA256SUMS', 'renders/Canon_40D.jpg', 'renders/GammaChart.exr', 'renders/GammaChart.exr.xmp', 'linked_cube.blend.xmp', 'textures/Brick_Normal.png', 'readme for buyers.txt']) {
    t.ok(names.includes(n), `zip holds ${n}`);
  }
  t.notOk(names.includes('.DS_Store'), 'clutter is left out');
  const x = path.join(root, 'unzipped');
  await fs.mkdir(x);
  execFileSync('unzip', ['-q', r.archive.path, '-d', x]);
  const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: x, encoding: 'utf8' });
  t.equal(check.trim().split('\n').length, names.length - 1, 'sha256sum -c checks every other entry');
  t.notMatch(check, /FAILED/);
  const licence = await fs.readFile(path.join(x, 'LICENSE.txt'), 'utf8');
  for (const words of ['AI/ML', 'dataset creation', 'fine-tuning', 'embeddings', 'synthetic outputs', 'Article 4(3)']) t.match(licence, words);
  const masterXmp = execFileSync('exiv2', ['-px', path.join(x, 'renders/Canon_40D.jpg')], { encoding: 'utf8' });
  t.match(masterXmp, /Xmp\.dc\.creator/, 'the master in the zip is stamped (exiv2)');

  // manifest: every input exactly once
  const manifest = JSON.parse(await fs.readFile(path.join(x, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; status: string; reason?: string }> };
  const inputs = (await listAll(pack)).map((p) => p.split(path.sep).join('/'));
  t.same(manifest.files.map((f) => f.path).sort(), inputs.sort(), 'every input file appears exactly once');
  t.equal(manifest.files.find((f) => f.path === 'renders/corrupted.jpg')?.status, 'failed');
  t.equal(manifest.files.find((f) => f.path === '.DS_Store')?.status, 'skipped');
  t.notMatch(JSON.stringify(manifest), root, 'manifest does not leak local folders');

  // report
  const report = JSON.parse(await fs.readFile(path.join(packOut, 'report.json'), 'utf8'));
  t.same(report, r.report);
  t.equal(report.ok, false);
  const ids = report.findings.map((f: { id: string }) => f.id);
  for (const id of ['preview-count', 'gps', 'blend-missing-deps', 'non-power-of-two', 'non-portable-name']) t.ok(ids.includes(id), `finding ${id}`);
  t.match(JSON.stringify(report.findings), /missing_textures\.blend → \/\/textures/);
  t.notMatch(JSON.stringify(report.findings.filter((f: { id: string }) => f.id === 'blend-missing-deps')), /linked_cube/, 'linked library inside the pack is fine');
  t.match(await fs.readFile(path.join(packOut, 'report.md'), 'utf8'), /Not ready/);

  // The ledger names what was delivered: previews in public/, masters and sidecars as members of the zip.
  const recorded = (await services.ledger.readAll()).filter((e) => e.type === 'asset.recorded');
  t.equal(recorded.length, 12, 'each processed file recorded once');
  for (const e of recorded) {
    for (const o of (e.data as { outputs: Array<{ path: string; purpose: string; entry?: string }> }).outputs) {
      t.notMatch(o.path, /colophon-work/, `${o.purpose} is recorded where it is delivered, not in the work area`);
      if (o.purpose === 'preview') t.equal(path.dirname(path.dirname(o.path)), path.join(packOut, 'public'), 'a preview is recorded at its place in public/');
      else t.ok(o.path === r.archive.path && o.entry != null && names.includes(o.entry), `${o.entry} is recorded as a member of the delivery zip`);
    }
  }

  // second run: same outputs, reused by content hash
  const ledgerBefore = (await services.ledger.readAll()).length;
  const membersBefore = await zipMembers(r.archive.path);
  const r2 = await runPack(pack, { outDir: out, market: 'superhive', env: { profile: services.profile, ledger: services.ledger } });
  t.equal((r2.report.summary as { reused: number }).reused, 12, 'all processed files reused');
  t.same(await zipMembers(r2.archive.path), membersBefore, 'the delivery zip has the same members, contents and dates');
  // The documents are made afresh on every run: compared whole, so a difference says what it is.
  for (const doc of ['manifest.json', 'README.txt', 'LICENSE.txt']) {
    const again = execFileSync('unzip', ['-p', r2.archive.path, doc], { encoding: 'utf8' });
    t.same(again.split('\n'), (await fs.readFile(path.join(x, doc), 'utf8')).split('\n'), `the second run's ${doc} is the first run's`);
  }
  t.equal(r2.archive.sha256, r.archive.sha256, 'the delivery zip is byte-identical');
  t.equal((await services.ledger.readAll()).length, ledgerBefore, 'nothing recorded twice');
  // The README lets the seller delete the work area: every recorded output is still where the ledger says.
  await fs.rm(path.join(packOut, '.colophon-work'), { recursive: true });
  for (const e of recorded) {
    for (const o of (e.data as { outputs: Array<{ path: string }> }).outputs) t.ok(await fs.stat(o.path).then(() => true, () => false), `${o.path} still exists`);
  }
  await services.close();
});

t.test('the same pack as a zip gives the same delivery contents', async (t) => {
  const root = t.testdir({ home: {} });
  const pack = path.join(root, 'Mini');
  await png(path.join(pack, 'Stone_BaseColor.png'), 128, 128, [90, 90, 90]);
  await png(path.join(pack, 'Stone_Roughness.png'), 128, 128, [40, 40, 40]);
  await fs.copyFile(path.join(FIX, 'photos/landscape_6.jpg'), path.join(pack, 'hero.jpg'));
  execFileSync('zip', ['-qr', path.join(root, 'Mini.zip'), '.'], { cwd: pack });
  const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
  const env = { profile: services.profile, ledger: null };
  const fromDir = await runPack(pack, { outDir: path.join(root, 'a'), market: 'pond5', env });
  const fromZip = await runPack(path.join(root, 'Mini.zip'), { outDir: path.join(root, 'b'), market: 'pond5', env });
  t.same(fromZip.errors, []);
  t.same((await zipNames(fromZip.archive.path)).sort(), (await zipNames(fromDir.archive.path)).sort());
  t.same(fromZip.results.map((r) => r.input.sha256).sort(), fromDir.results.map((r) => r.input.sha256).sort());
  const finding = (fromZip.report.findings as Array<{ id: string; severity: string }>).find((f) => f.id === 'watermark-forbidden');
  t.equal(finding?.severity, 'info', 'Pond5: previews made without a watermark, and the report says so');
  await services.close();
});
