import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { processFile, processPaths } from '../../server/pipeline/process.ts';
import { exiv2, FIXTURES, makeEnv, makeImage } from '../helpers/pipeline-env.ts';

const readTags = async (f: string) => (await getExifTool().readRaw(f, ['-G1', '-a', '-n'])) as Record<string, unknown>;

t.test('a minor defect already in the source EXIF: stamped, verified, and the defect is named in a warning', async (t) => {
  const env = await makeEnv(t);
  const src = path.join(FIXTURES, 'photos', '45-gps_ifd.jpg');
  const r = await processFile(src, { source: 'cli' }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  t.equal(master.metadata, 'embedded');
  const tags = await readTags(master.path);
  t.equal([tags['XMP-dc:Creator']].flat()[0], 'Jane Artist');
  t.equal(tags['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING');
  t.equal(tags['IFD0:Artist'], 'Jane Artist');
  t.match(await exiv2(['-px', master.path]), /Xmp\.plus\.DataMining\s+XmpText\s+\d+\s+http:\/\/ns\.useplus\.org\/ldf\/vocab\/DMI-PROHIBITED-AIMLTRAINING/);
  t.match(await exiv2(['-pi', master.path]), /Iptc\.Application2\.Byline\s+String\s+\d+\s+Jane Artist/);
  t.match(r.warnings.join('\n'), /source's own metadata has a minor defect \(.*zero count.*\).*verified/);
  t.notMatch(r.warnings.join('\n'), /\.tmp/, 'the warning never names a temp file');
  t.ok(r.outputs.some((o) => o.purpose === 'preview'), 'and the picture gets its preview');
  t.ok(r.ledgerSeq != null, 'recorded');
});

t.test('a truly unwritable file fails naming the input, with no temp name and no empty folder left', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const good = await makeImage(path.join(dir, 'ok.jpg'), 64, 48, { format: 'jpeg' });
  // A JPEG whose EXIF IFD0 is cut off after its entry count: exiftool rates that an error, not minor.
  const jpeg = await fs.readFile(good);
  const body = Buffer.from('Exif\0\0MM\0*\0\0\0\x08\x00\x05\x01\x0f\x00\x02', 'latin1');
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, body.length + 2]), body]);
  const broken = path.join(dir, 'broken-exif.jpg');
  await fs.writeFile(broken, Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]));
  const report = await processPaths([broken, good], { source: 'cli' }, env);
  t.equal(report.results.length, 1, `the good file is still processed: ${JSON.stringify(report.errors)}`);
  const fail = report.errors.find((e) => e.input.endsWith('broken-exif.jpg'));
  if (fail != null) {
    t.equal(fail.code, 'METADATA_WRITE_FAILED');
    t.match(fail.message, /broken-exif\.jpg/);
    t.notMatch(fail.message, /\.tmp/, 'the message names the input, not a temp file');
    t.match(fail.message, /re-save/i, 'and says what to do');
    const priv = path.join(env.outRoot, 'private');
    const dirs = await fs.readdir(priv);
    for (const d of dirs) t.not((await fs.readdir(path.join(priv, d))).length, 0, `private/${d} is not an empty folder`);
  } else {
    t.fail(`expected the damaged-EXIF file to be refused: ${JSON.stringify(report.errors)}`);
  }
});
