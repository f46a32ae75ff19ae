// The pipeline as stages (issue 11): one context carries what each stage learned; the stamp template's blocks are
// copied into outputs byte for byte and checked after signing; independent readers see the stamp.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { readJpegSegments } from '../../server/pipeline/jpeg-segments.ts';
import { runStages } from '../../server/pipeline/process.ts';
import { rightsFromProfile } from '../../server/pipeline/stamp.ts';
import { applyJpegTemplate, assertCarriesTemplate, stampTemplate } from '../../server/pipeline/stamp-template.ts';
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
  const tpl = await stampTemplate('jpeg', rights);
  if (tpl.format !== 'jpeg') throw new Error('expected a JPEG template');
  t.equal(await stampTemplate('jpeg', rights), tpl, 'one template per rights statement while it is fresh');
  const other = await stampTemplate('jpeg', { ...rights, creator: 'Someone Else' });
  t.not(other, tpl, 'other rights, another template');

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
