// The pipeline as stages (issue 11): one context carries what each stage learned; the stamp template's blocks are
// copied into outputs byte for byte and checked after signing; independent readers see the stamp.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { readJpegSegments } from '../../server/pipeline/jpeg-segments.ts';
import { runStages } from '../../server/pipeline/process.ts';
import { rightsFromProfile, type RightsStamp } from '../../server/pipeline/stamp.ts';
import { applyJpegTemplate, assertCarriesTemplate, stampTemplate } from '../../server/pipeline/stamp-template.ts';
import { createHash, randomBytes } from 'node:crypto';
import { isTempName, writeNewFile } from '../../server/util/atomic.ts';
import { sha256FileFinding } from '../../server/util/hash.ts';
import { makeEnv, makeImage } from '../helpers/pipeline-env.ts';

t.test('runStages: every stage runs once on a new file, none on a repeat; the context keeps what they learned', async (t) => {
  const env = await makeEnv(t);
  const file = await makeImage(path.join(env.home, 'frame.png'), 640, 360);
  const first = await runStages(file, { source: 'f12' }, env);
  t.equal(first.reused, false);
  t.same(Object.keys(first.ctx!.timings).sort(), ['classify', 'decode', 'manifest', 'plan', 'read-input', 'record', 'write-outputs']);
  t.equal(first.ctx!.input.sha256, first.result.input.sha256, 'the input is hashed once, by read-input');
  t.ok(first.ctx!.input.data != null, 'a small input is held in memory for the later stages');
  t.ok(first.ctx!.preview != null && first.ctx!.preview.width === 640, 'the preview is encoded from the decode');
  t.ok(first.ctx!.inputPhash != null, 'and the perceptual hash comes from the same decode');
  const again = await runStages(file, { source: 'f12' }, env);
  t.equal(again.reused, true, 'a repeat reuses the outputs');
  t.equal(again.ctx, undefined, 'and runs no stage after read-input');
  t.same(again.result.outputs.map((o) => o.sha256), first.result.outputs.map((o) => o.sha256));
});

t.test('a texture-shaped picture is found to be a normal map from the one decode', async (t) => {
  const env = await makeEnv(t);
  const file = path.join(env.home, 'tile_a.png');
  await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 128, g: 128, b: 250 } } }).png().toFile(file);
  const { result, ctx } = await runStages(file, { source: 'cli', thumbnailEdge: 64 }, env);
  t.match(result.input, { kind: 'texture', role: 'normal' });
  t.ok(ctx!.thumbnail != null && (await sharp(ctx!.thumbnail).metadata()).width === 64, 'a thumbnail from the same decode');
  const preview = result.outputs.find((o) => o.purpose === 'preview');
  t.ok(preview != null && preview.width! <= 512, 'the texture gets the small tiled preview');
});

t.test('the JPEG stamp template: read back by exiv2 and exiftool, refused on a JPEG with metadata, checked after writing', async (t) => {
  const env = await makeEnv(t);
  const rights = rightsFromProfile(env.profile, 'digitalCreation');
  const tpl = await stampTemplate('jpeg', rights, env.configDir);
  if (tpl.format !== 'jpeg') throw new Error('expected a JPEG template');
  const other = await stampTemplate('jpeg', { ...rights, creator: 'Someone Else' }, env.configDir);
  t.notSame(other, tpl, 'other rights, another template');

  const plain = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#456' } }).withIccProfile('srgb').jpeg().toBuffer();
  const stamped = applyJpegTemplate(plain, tpl, 'x.jpg');
  const file = path.join(env.home, 'stamped.jpg');
  await fs.writeFile(file, stamped);
  const exiv = execFileSync('exiv2', ['-pa', file], { encoding: 'utf8' });
  t.match(exiv, /Xmp\.plus\.DataMining\s+XmpText\s+\d+\s+http:\/\/ns\.useplus\.org\/ldf\/vocab\/DMI-PROHIBITED-AIMLTRAINING/);
  t.match(exiv, /Exif\.Image\.Artist\s+Ascii\s+\d+\s+Jane Artist/);
  t.match(exiv, /Iptc\.Application2\.Byline\s+String\s+\d+\s+Jane Artist/);
  t.equal((await sharp(file).metadata()).icc != null, true, 'the preview keeps its sRGB profile');
  const ids = readJpegSegments(stamped).map((s) => s.id);
  t.equal(ids[0], 'Exif', 'EXIF comes first, where readers look for it');
  const withJfif = Buffer.concat([plain.subarray(0, 2), Buffer.from([0xff, 0xe0, 0, 16]), Buffer.from('JFIF\0\x01\x02\0\0\x01\0\x01\0\0', 'latin1'), plain.subarray(2)]);
  t.same(readJpegSegments(applyJpegTemplate(withJfif, tpl, 'x.jpg')).map((s) => s.id).slice(0, 2), ['JFIF', 'Exif'], 'a JFIF APP0 stays first');

  t.throws(() => applyJpegTemplate(stamped, tpl, 'x.jpg'), /already carries metadata/, 'never stamped twice');
  t.doesNotThrow(() => assertCarriesTemplate(stamped, tpl, 'x.jpg'));
  t.throws(() => assertCarriesTemplate(plain, tpl, 'x.jpg'), { key: 'METADATA_WRITE_FAILED', message: /x\.jpg/ });
  t.throws(() => readJpegSegments(Buffer.from('not a jpeg')), /not a JPEG/);
});

/** Calls stampTemplate in a new Node process (so nothing is remembered in memory) and returns what it got. */
function templateInNewProcess(configDir: string, rights: RightsStamp, format: 'png' | 'jpeg' = 'png'): { packet: string; segments: Array<{ type: 'Buffer'; data: number[] }>; warnings: string[] } {
  const code = `import { stampTemplate } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../server/pipeline/stamp-template.ts'))};\n` +
    `import { closeExifTool } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../server/pipeline/exiftool.ts'))};\n` +
    `const t = await stampTemplate(process.argv[3], JSON.parse(process.argv[1]), process.argv[2]); await closeExifTool(); console.log(JSON.stringify(t));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, JSON.stringify(rights), configDir, format], { encoding: 'utf8' });
  return JSON.parse(out) as { packet: string; segments: Array<{ type: 'Buffer'; data: number[] }>; warnings: string[] };
}

const metadataDate = (xmp: string) => /<xmp:MetadataDate>([^<]+)<\/xmp:MetadataDate>/.exec(xmp)?.[1];

t.test('a template is authored inside the template cache, which clears what a killed run left there', async (t) => {
  const env = await makeEnv(t);
  const keptDir = path.join(env.configDir!, 'cache', 'stamp-templates');
  await fs.mkdir(keptDir, { recursive: true });
  // One left by a run killed mid-way two hours ago, and one that another run may be authoring in right now.
  const stale = path.join(keptDir, '.authoring-killed');
  const live = path.join(keptDir, '.authoring-running');
  for (const dir of [stale, live]) {
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'template.png'), 'half-written');
  }
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  await fs.utimes(stale, twoHoursAgo, twoHoursAgo);
  const rights = { ...rightsFromProfile(env.profile, 'digitalCreation'), creator: 'Authoring Folder Artist' };
  const made = await stampTemplate('jpeg', rights, env.configDir);
  t.equal(made.format, 'jpeg');
  const left = (await fs.readdir(keptDir)).sort();
  t.equal(left.filter((n) => n.endsWith('.json')).length, 1, 'the template is kept');
  t.same(left.filter((n) => n.startsWith('.authoring-')), ['.authoring-running'], 'the stale folder is gone, the recent one is left alone, and this authoring left none');
});

t.test('a template is authored by exiftool once and kept; every use is dated now', async (t) => {
  const env = await makeEnv(t);
  const rights = { ...rightsFromProfile(env.profile, 'digitalCreation'), creator: 'Kept Template Artist' };
  const first = await stampTemplate('png', rights, env.configDir);
  if (first.format !== 'png') throw new Error('expected a PNG template');
  const keptDir = path.join(env.configDir!, 'cache', 'stamp-templates');
  const kept = await fs.readdir(keptDir);
  t.equal(kept.length, 1, 'kept in <config>/cache/stamp-templates');
  const file = path.join(keptDir, kept[0]!);
  const onDisk = JSON.parse(await fs.readFile(file, 'utf8')) as { date: string; packet: string; warnings: string[] };
  t.match(onDisk.packet, /DMI-PROHIBITED/, 'holding the packet exiftool wrote');

  // An old date on disk, and a marker only the kept copy carries: a new process uses it and dates it now.
  const old = '2001-02-03T04:05:06+00:00';
  await fs.writeFile(file, JSON.stringify({ ...onDisk, date: old, packet: onDisk.packet.replace(onDisk.date, old), warnings: ['kept-copy marker'] }));
  const before = Date.now();
  const reused = templateInNewProcess(env.configDir!, rights);
  t.same(reused.warnings, ['kept-copy marker'], 'a new process takes the kept template');
  const date = metadataDate(reused.packet)!;
  t.ok(Math.abs(Date.parse(date) - before) < 60_000, `its MetadataDate is now (${date}), not the kept ${old}`);
  t.equal(reused.packet.replace(date, old), onDisk.packet.replace(onDisk.date, old), 'and nothing else in the packet differs');

  await fs.writeFile(file, '{ "format": "png", "date": "not a da');
  const remade = templateInNewProcess(env.configDir!, rights);
  t.same(remade.warnings, [], 'a damaged kept template is authored again');
  t.match(remade.packet, /Kept Template Artist/);
  t.ok(JSON.parse(await fs.readFile(file, 'utf8')).date, 'and kept whole again');

  // A kept JPEG template with a segment cut short is not used either.
  const jpeg = await stampTemplate('jpeg', rights, env.configDir);
  if (jpeg.format !== 'jpeg') throw new Error('expected a JPEG template');
  const jpegFile = (await fs.readdir(keptDir)).map((f) => path.join(keptDir, f)).find((f) => f !== file)!;
  const keptJpeg = JSON.parse(await fs.readFile(jpegFile, 'utf8')) as { segments: string[] };
  const cut = keptJpeg.segments.map((b, i) => (i === 0 ? Buffer.from(b, 'base64').subarray(0, 40).toString('base64') : b));
  await fs.writeFile(jpegFile, JSON.stringify({ ...keptJpeg, segments: cut, warnings: ['kept-copy marker'] }));
  const again = templateInNewProcess(env.configDir!, rights, 'jpeg');
  t.same(again.warnings, [], 'a kept JPEG template with a cut segment is authored again');
  t.same(again.segments.map((b) => b.data.length), jpeg.segments.map((b) => b.length), 'with whole segments');
});

t.test('a PNG with its own XMP is stamped by exiftool, merging; one without gets the template', async (t) => {
  const env = await makeEnv(t);
  const own = path.join(env.home, 'own.png');
  await makeImage(own, 200, 100);
  execFileSync('exiv2', ['-M', 'set Xmp.dc.title Lighthouse at dusk', own]);
  const { result } = await runStages(own, { source: 'cli' }, env);
  const master = result.outputs.find((o) => o.purpose === 'master')!;
  const exiv = execFileSync('exiv2', ['-px', master.path], { encoding: 'utf8' });
  t.match(exiv, /Xmp\.dc\.title\s+LangAlt\s+\d+\s+lang="x-default" Lighthouse at dusk/, 'the artist\'s own XMP survives');
  t.match(exiv, /Xmp\.plus\.DataMining/, 'and the stamp is there');
});

t.test('a PNG whose image data is damaged fails at decode; the master signed beside it meanwhile is removed', async (t) => {
  const env = await makeEnv(t);
  const png = await fs.readFile(await makeImage(path.join(env.home, 'made.png'), 640, 360));
  // The chunk layout stays whole (so the master is stamped and signed while the picture decodes); the pixels do not.
  const idat = png.indexOf('IDAT');
  const middle = idat + 4 + Math.floor((png.length - idat) / 2);
  for (let i = 0; i < 64; i++) png[middle + i]! ^= 0x5a;
  const file = path.join(env.home, 'damaged.png');
  await fs.writeFile(file, png);
  await t.rejects(runStages(file, { source: 'cli' }, env), { key: 'CORRUPT_FILE', message: /damaged\.png/ });
  const left = (await fs.readdir(env.outRoot, { recursive: true })).filter((p) => !p.startsWith('.locks'));
  t.same(left.filter((p) => isTempName(p)), [], 'no temp file is left');
  t.same(left, [], 'nor any folder made for the file');
  t.same(await fs.readFile(file), png, 'the input is untouched');
});

t.test('a finished output is written from its pieces and read back once: hashed, and its stamped blocks found', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'out.bin');
  // 2.5 MiB, read a MiB at a time: one block lies across the first seam, one inside a read, one nowhere.
  const data = randomBytes((5 << 20) / 2);
  const across = Buffer.from(data.subarray((1 << 20) - 1000, (1 << 20) + 1000));
  const inside = Buffer.from(data.subarray(1_500_000, 1_503_000));
  const absent = Buffer.from('a block this file does not hold');
  await writeNewFile(file, [data.subarray(0, 33), Buffer.alloc(0), data.subarray(33, 1 << 20), data.subarray(1 << 20)]);
  t.same(await fs.readFile(file), data, 'the pieces are written one after another');
  const read = await sha256FileFinding(file, [across, inside, absent]);
  t.equal(read.sha256, createHash('sha256').update(data).digest('hex'));
  t.equal(read.bytes, data.length);
  t.same(read.found, [true, true, false]);
  await t.rejects(writeNewFile(file, [data]), { code: 'EEXIST' }, 'an existing file is never written through');
});
