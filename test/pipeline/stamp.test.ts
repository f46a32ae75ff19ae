import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { processFile } from '../../server/pipeline/process.ts';
import type { WriteTags } from 'exiftool-vendored';
import { embedStamp, rightsFromProfile, truncateUtf8, writeChecked } from '../../server/pipeline/stamp.ts';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { exiv2, FIXTURES, makeEnv, makeImage } from '../helpers/pipeline-env.ts';

const URI = 'http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING';

async function readTags(file: string): Promise<Record<string, unknown>> {
  return (await getExifTool().readRaw(file, ['-G1', '-n', '-XMP:all', '-EXIF:all', '-IPTC:all'])) as Record<string, unknown>;
}

t.test('masters are stamped and read back by exiftool and exiv2: JPEG, PNG, WebP, TIFF', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  for (const format of ['jpeg', 'png', 'webp', 'tiff'] as const) {
    const src = await makeImage(path.join(dir, `shot_${format}.${format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : format}`), 160, 120, { format });
    const r = await processFile(src, { source: 'cli' }, env);
    const master = r.outputs.find((o) => o.purpose === 'master')!;
    t.equal(master.metadata, 'embedded', `${format} master embeds`);
    const tags = await readTags(master.path);
    t.equal(tags['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING', `${format}: DataMining (exiftool)`);
    t.same([tags['XMP-dc:Creator']].flat(), ['Jane Artist'], `${format}: dc:creator (exiftool)`);
    t.match(String(tags['XMP-dc:Rights']), /^© \d{4} Jane Artist\. All rights reserved\.$/, `${format}: dc:rights (exiftool)`);
    t.equal(tags['XMP-iptcExt:DigitalSourceType'], 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation');
    t.equal(tags['XMP-xmpRights:WebStatement'], undefined, 'no web statement when none is configured');
    const x = await exiv2(['-px', master.path]);
    t.match(x, new RegExp(`Xmp\\.plus\\.DataMining\\s+XmpText\\s+\\d+\\s+${URI.replace(/[./]/g, '\\$&')}`), `${format}: DataMining (exiv2)`);
    t.match(x, /Xmp\.dc\.creator\s+XmpSeq\s+1\s+Jane Artist/, `${format}: dc:creator (exiv2)`);
    t.match(x, /Xmp\.dc\.rights\s+LangAlt.*Jane Artist/, `${format}: dc:rights (exiv2)`);
    t.match(x, /Xmp\.xmpRights\.Marked\s+XmpText\s+\d+\s+True/, `${format}: Marked (exiv2)`);
    if (format === 'jpeg' || format === 'tiff') {
      t.equal(tags['IFD0:Artist'], 'Jane Artist', `${format}: EXIF Artist`);
      t.equal([tags['IPTC:By-line']].flat()[0], 'Jane Artist', `${format}: IPTC By-line`);
      const iptc = await exiv2(['-pi', master.path]);
      t.match(iptc, /Iptc\.Application2\.Byline\s+String\s+\d+\s+Jane Artist/, `${format}: By-line (exiv2)`);
    }
    const sizes = await import('sharp').then((s) => s.default(master.path).metadata());
    t.equal(sizes.width, 160, `${format}: master keeps full resolution`);
  }
});

t.test('EXR and .blend get a verified .xmp sidecar beside a byte-identical master', async (t) => {
  const env = await makeEnv(t);
  for (const rel of ['exr/Carrots.exr', 'blend/basic_file.blend']) {
    const src = path.join(FIXTURES, rel);
    const r = await processFile(src, { source: 'cli' }, env);
    const master = r.outputs.find((o) => o.purpose === 'master')!;
    const sidecar = r.outputs.find((o) => o.purpose === 'sidecar')!;
    t.equal(master.metadata, 'sidecar');
    t.equal(master.sha256, r.input.sha256, `${rel}: master is byte-identical to the input`);
    t.equal(sidecar.path, master.path + '.xmp');
    const tags = await readTags(sidecar.path);
    t.equal(tags['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING');
    t.same([tags['XMP-dc:Creator']].flat(), ['Jane Artist']);
    t.equal(tags['XMP-iptcCore:CreatorWorkEmail'], 'jane@example.org');
    const x = await exiv2(['-px', sidecar.path]);
    t.match(x, /Xmp\.plus\.DataMining.*DMI-PROHIBITED-AIMLTRAINING/, `${rel}: exiv2 reads the sidecar`);
    t.match(x, /Xmp\.plus\.Licensor\[1\]\/plus:LicensorName\s+XmpText\s+\d+\s+Jane Artist/);
  }
});

t.test('the profile decides what is written: licence, web statement, data-mining code', async (t) => {
  const env = await makeEnv(t, {
    creator: { name: 'Ana Ñúñez' },
    licence: { name: 'CC BY-NC-ND 4.0', url: 'https://creativecommons.org/licenses/by-nc-nd/4.0/' },
    dataMining: 'DMI-PROHIBITED',
    webStatement: 'https://ana.example.org/licence',
  });
  const src = await makeImage(path.join(t.testdir(), 'a.jpg'), 64, 48, { format: 'jpeg' });
  const r = await processFile(src, { source: 'cli' }, env);
  const tags = await readTags(r.outputs.find((o) => o.purpose === 'master')!.path);
  t.equal(tags['XMP-plus:DataMining'], 'DMI-PROHIBITED');
  t.equal(tags['XMP-xmpRights:WebStatement'], 'https://ana.example.org/licence');
  t.match(String(tags['XMP-xmpRights:UsageTerms']), /^CC BY-NC-ND 4\.0\. Licence: https:\/\/creativecommons/);
  t.same([tags['XMP-dc:Creator']].flat(), ['Ana Ñúñez'], 'non-ASCII names survive');
  t.equal([tags['IPTC:By-line']].flat()[0], 'Ana Ñúñez', 'IIM written as UTF-8');
});

t.test('IIM strings are cut to their byte limits at character boundaries', async (t) => {
  t.equal(truncateUtf8('abc', 32), 'abc');
  t.equal(Buffer.byteLength(truncateUtf8('é'.repeat(40), 32)), 32);
  t.equal(truncateUtf8('aé', 2), 'a', 'never splits a 2-byte character');
  const long = 'Studio of Extraordinarily Long Name Productions';
  const env = await makeEnv(t, { creator: { name: long } });
  const src = await makeImage(path.join(t.testdir(), 'b.jpg'), 64, 48, { format: 'jpeg' });
  const r = await processFile(src, { source: 'cli' }, env);
  const tags = await readTags(r.outputs.find((o) => o.purpose === 'master')!.path);
  t.equal([tags['IPTC:By-line']].flat()[0], long.slice(0, 32));
  t.same([tags['XMP-dc:Creator']].flat(), [long], 'XMP keeps the full name');
  t.match(r.warnings.join('\n'), /By-line shortened to its 32-byte IPTC-IIM limit/);
});

t.test('an exiftool warning on write is a failure, not a success', async (t) => {
  const env = await makeEnv(t);
  const file = await makeImage(path.join(t.testdir(), 'c.jpg'), 32, 32, { format: 'jpeg' });
  // The documented pitfall: a DataMining code without the raw-value '#' is dropped by exiftool with only a warning.
  await t.rejects(writeChecked(file, { 'XMP-plus:DataMining': 'DMI-PROHIBITED' } as WriteTags), { key: 'METADATA_WRITE_FAILED', message: /warned.*Can't convert/ });
  const tags = await readTags(file);
  t.equal(tags['XMP-plus:DataMining'], undefined, 'and indeed nothing was written');
  const notImage = path.join(t.testdir(), 'd.jpg');
  await fs.writeFile(notImage, 'plain text');
  await t.rejects(embedStamp(notImage, 'jpeg', rightsFromProfile(env.profile, 'digitalCreation')), { name: 'ColophonError', key: 'METADATA_WRITE_FAILED' });
});
