import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import type { WriteTags } from 'exiftool-vendored';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { processFile } from '../../server/pipeline/process.ts';
import { readPngXmp, withPngXmp } from '../../server/pipeline/png-xmp.ts';
import { exiv2, makeEnv, makeImage, withPngText } from '../helpers/pipeline-env.ts';

function chunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let pos = 8; pos + 12 <= png.length; ) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    types.push(type === 'iTXt' && png.toString('latin1', pos + 8, pos + 25) === 'XML:com.adobe.xmp' ? 'XMP' : type);
    pos += 12 + len;
  }
  return types;
}

t.test('a PNG master keeps its own XMP fields, pixels and text chunks; one XMP chunk, before the image data', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const base = await makeImage(path.join(dir, 'base.png'), 300, 200, { depth16: true });
  const src = path.join(dir, 'render.png');
  await fs.writeFile(src, withPngText(await fs.readFile(base), { Note: 'from Blender' }));
  const w = await getExifTool().write(src, { 'XMP-xmp:Rating': 4, 'XMP-dc:Description': 'Hero shot, final' } as WriteTags, { writeArgs: ['-overwrite_original'] });
  t.same(w.warnings ?? [], []);
  const r = await processFile(src, { source: 'f12' }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  const bytes = await fs.readFile(master.path);
  const types = chunkTypes(bytes);
  t.equal(types.filter((x) => x === 'XMP').length, 1, 'exactly one XMP chunk');
  t.ok(types.indexOf('XMP') < types.indexOf('IDAT'), 'XMP comes before the image data');
  t.ok(types.includes('tEXt'), "Blender's text chunk is kept in the private master");
  const tags = (await getExifTool().readRaw(master.path, ['-G1', '-n', '-XMP:all'])) as Record<string, unknown>;
  t.equal(tags['XMP-xmp:Rating'], 4, 'the artist\'s own XMP fields survive');
  t.equal(tags['XMP-dc:Description'], 'Hero shot, final');
  t.equal(tags['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING');
  t.match(await exiv2(['-px', master.path]), /Xmp\.plus\.DataMining.*DMI-PROHIBITED-AIMLTRAINING/);
  const [a, b] = await Promise.all([sharp(src).raw().toBuffer(), sharp(master.path).raw().toBuffer()]);
  t.ok(a.equals(b), 'pixels are identical');
});

t.test('withPngXmp replaces an XMP chunk wherever it was, and readPngXmp reads it back', async (t) => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#345' } }).png().toBuffer();
  const once = withPngXmp(png, '<x:xmpmeta>first</x:xmpmeta>', 'test');
  const twice = withPngXmp(once, '<x:xmpmeta>second é</x:xmpmeta>', 'test');
  t.equal(readPngXmp(png, 'test'), null);
  t.equal(readPngXmp(twice, 'test'), '<x:xmpmeta>second é</x:xmpmeta>');
  t.same(chunkTypes(twice), ['IHDR', 'XMP', ...chunkTypes(png).slice(1)], 'one XMP chunk after IHDR, the rest unchanged');
  t.same(await sharp(twice).raw().toBuffer(), await sharp(png).raw().toBuffer());
  t.throws(() => withPngXmp(png.subarray(0, png.length - 20), 'x', 'cut.png'), { message: /truncated/ });
});
