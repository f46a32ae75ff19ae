import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import t from 'tap';
import type { WriteTags } from 'exiftool-vendored';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { processFile } from '../../server/pipeline/process.ts';
import { parsePng, readPngXmp, withPngXmp } from '../../server/pipeline/png-xmp.ts';
import { crc32OfJoined } from '../../server/util/crc32.ts';
import { verifyCredential } from '../../server/c2pa/verify.ts';
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

t.test('parsePng says whether a PNG carries XMP and builds the stamped copy from the same walk', async (t) => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#345' } }).png().toBuffer();
  const bare = parsePng(png, 'test');
  t.equal(bare.hasXmp, false);
  t.equal(bare.xmp(), null);
  const stamped = Buffer.concat(bare.withXmp('<x:xmpmeta>stamp</x:xmpmeta>'));
  t.ok(stamped.equals(withPngXmp(png, '<x:xmpmeta>stamp</x:xmpmeta>', 'test')), 'the same bytes as withPngXmp');
  const again = parsePng(stamped, 'test');
  t.equal(again.hasXmp, true);
  t.equal(again.xmp(), '<x:xmpmeta>stamp</x:xmpmeta>');
});

/** Every chunk of a PNG: type, length and whether its stored CRC is right. */
function chunkList(png: Buffer): Array<{ type: string; length: number; crcOk: boolean; data: Buffer }> {
  const out = [];
  for (let pos = 8; pos + 12 <= png.length; ) {
    const length = png.readUInt32BE(pos);
    const data = png.subarray(pos + 8, pos + 8 + length);
    out.push({ type: png.toString('latin1', pos + 4, pos + 8), length, data, crcOk: zlib.crc32(png.subarray(pos + 4, pos + 8 + length)) === png.readUInt32BE(pos + 8 + length) });
    pos += 12 + length;
  }
  return out;
}

t.test('the CRC of chunks joined is worked out from their own CRCs, for any lengths', async (t) => {
  const prefix = Buffer.from('IDAT');
  const lengths = [[5], [0, 3], [3, 0], [8192, 8192, 1722], [1, 7, 65535, 0, 100_003], [64 << 10, 13]];
  for (const ls of lengths) {
    const pieces = ls.map((n) => randomBytes(n));
    const got = crc32OfJoined(prefix, pieces.map((p) => ({ crc: zlib.crc32(Buffer.concat([prefix, p])), bytes: p.length })));
    t.equal(got, zlib.crc32(Buffer.concat([prefix, ...pieces])), `pieces of ${ls.join(', ')} bytes`);
  }
  t.equal(crc32OfJoined(prefix, []), zlib.crc32(prefix), 'no pieces: the prefix alone');
});

t.test('a master keeps the compressed image data byte for byte, in fewer and larger IDAT chunks', async (t) => {
  // libpng (Blender's PNG writer, sharp's) cuts the image data into 8 KiB chunks.
  const png = await sharp({ create: { width: 900, height: 700, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png({ compressionLevel: 1 }).toBuffer();
  const before = chunkList(png).filter((c) => c.type === 'IDAT');
  t.ok(before.length > 100 && before.every((c) => c.length <= 8192), `the source has ${before.length} small IDAT chunks`);
  const packet = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>image/png</dc:format></rdf:Description></rdf:RDF></x:xmpmeta>';
  const stamped = withPngXmp(png, packet, 'test');
  const after = chunkList(stamped);
  const idats = after.filter((c) => c.type === 'IDAT');
  const total = before.reduce((n, c) => n + c.length, 0);
  t.equal(idats.length, Math.ceil(total / (1 << 20)), 'the image data goes in 1 MiB chunks');
  t.ok(after.every((c) => c.crcOk), 'every chunk\'s CRC is right');
  const others = chunkTypes(png).filter((x) => x !== 'IHDR' && x !== 'IDAT' && x !== 'IEND');
  t.same(after.map((c) => c.type), ['IHDR', 'iTXt', ...others, ...idats.map(() => 'IDAT'), 'IEND'], 'the other chunks keep their places');
  t.ok(Buffer.concat(idats.map((c) => c.data)).equals(Buffer.concat(before.map((c) => c.data))), 'the compressed stream is unchanged');
  t.same(await sharp(stamped).raw().toBuffer(), await sharp(png).raw().toBuffer(), 'and so are the pixels');
  const file = path.join(t.testdir(), 'stamped.png');
  await fs.writeFile(file, stamped);
  t.match(await exiv2(['-px', file]), /Xmp\.dc\.format\s+XmpText\s+9\s+image\/png/, 'an independent reader reads the file and its XMP');
  const checked = (await getExifTool().readRaw(file, ['-validate', '-warning', '-a'])) as Record<string, unknown>;
  t.equal(checked.Validate, 'OK', 'and exiftool finds nothing wrong with its structure');

  // A chunk already damaged in the source stays damaged in the copy: its merged chunk's CRC is wrong too.
  const damaged = Buffer.from(png);
  const second = png.indexOf('IDAT', png.indexOf('IDAT') + 4);
  damaged[second + 4 + 100]! ^= 0xff;
  const copied = chunkList(withPngXmp(damaged, '<x:xmpmeta>stamp</x:xmpmeta>', 'test')).filter((c) => c.type === 'IDAT');
  t.same(copied.map((c) => c.crcOk), [false, ...copied.slice(1).map(() => true)], 'the damage is carried into the chunk that holds it, not hidden');

  // And through the pipeline: the master written and signed in place, regrouped, its credential intact.
  const env = await makeEnv(t);
  const render = path.join(env.home, 'render.png');
  await fs.writeFile(render, png);
  const r = await processFile(render, { source: 'cli' }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  const written = chunkList(await fs.readFile(master.path));
  t.equal(written.filter((c) => c.type === 'IDAT').length, idats.length, 'the master\'s image data is regrouped too');
  t.ok(written.every((c) => c.crcOk), 'with every CRC right, the credential\'s chunk included');
  t.same(await sharp(master.path).raw().toBuffer(), await sharp(png).raw().toBuffer(), 'and the same pixels');
  const verified = await verifyCredential(master.path, null);
  t.ok(verified.valid && !verified.changed, `its Content Credential still binds it (${verified.summary})`);
});

t.test('IDAT chunks that are already large are kept as they are', async (t) => {
  const raw = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png({ compressionLevel: 1 }).toBuffer();
  // The same image data as one IDAT chunk (as optipng and other optimisers write it).
  const list = chunkList(raw);
  const data = Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])));
    return Buffer.concat([head, body, crc]);
  };
  const one = Buffer.concat([raw.subarray(0, 8), ...list.filter((c) => c.type !== 'IDAT' && c.type !== 'IEND').map((c) => chunk(c.type, c.data)), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
  const stamped = withPngXmp(one, '<x:xmpmeta>stamp</x:xmpmeta>', 'test');
  const tail = one.subarray(one.indexOf('IDAT') - 4);
  t.ok(stamped.subarray(stamped.length - tail.length).equals(tail), 'the image data and what follows it are copied byte for byte');
});
