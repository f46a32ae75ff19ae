import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { processFile, runStages } from '../../server/pipeline/process.ts';
import { encodePreview, reducePicture } from '../../server/pipeline/preview.ts';
import { watermarkOverlay } from '../../server/pipeline/watermark.ts';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { hammingDistance } from '../../server/pipeline/phash.ts';
import { exiv2, FIXTURES, makeEnv, makeImage, withPngText } from '../helpers/pipeline-env.ts';

const previewOf = (r: { outputs: Array<{ purpose: string; path: string; width?: number; height?: number }> }) => r.outputs.find((o) => o.purpose === 'preview')!;

t.test('GPS, camera EXIF and maker notes never reach the preview; rights do', async (t) => {
  const env = await makeEnv(t);
  for (const name of ['DSCN0010.jpg', 'Canon_40D.jpg']) {
    const r = await processFile(path.join(FIXTURES, 'photos', name), { source: 'cli' }, env);
    const p = previewOf(r);
    const all = (await getExifTool().readRaw(p.path, ['-G1', '-a'])) as Record<string, unknown>;
    const keys = Object.keys(all);
    t.notOk(keys.some((k) => /GPS/i.test(k)), `${name}: no GPS tags`);
    t.notOk(keys.some((k) => /^(IFD0:(Make|Model)|ExifIFD:|MakerNotes|Canon)/.test(k)), `${name}: no camera EXIF or maker notes`);
    t.equal(all['XMP-plus:DataMining'], 'Prohibited for AI/ML training');
    const x = await exiv2(['-pa', p.path]);
    t.notMatch(x, /GPS|Exif\.Photo\.|Exif\.Image\.Make|MakerNote/, `${name}: exiv2 sees no camera or GPS data`);
    t.match(x, /Xmp\.plus\.DataMining/);
  }
});

t.test('DSCN0010: public preview without GPS or camera EXIF, rights readable by exiftool and exiv2; full-size stamped master', async (t) => {
  const env = await makeEnv(t);
  const r = await processFile(path.join(FIXTURES, 'photos/DSCN0010.jpg'), { source: 'cli' }, env);
  const preview = previewOf(r);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  for (const [label, file] of [['preview', preview.path], ['master', master.path]] as const) {
    const et = (await getExifTool().readRaw(file, ['-G1', '-n'])) as Record<string, unknown>;
    t.equal(et['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING', `${label}: DataMining (exiftool)`);
    t.same([et['XMP-dc:Creator']].flat(), ['Jane Artist'], `${label}: dc:creator (exiftool)`);
    t.match(String(et['XMP-dc:Rights']), /Jane Artist\. All rights reserved/, `${label}: dc:rights (exiftool)`);
    const x = await exiv2(['-px', file]);
    t.match(x, /Xmp\.plus\.DataMining\s+XmpText\s+\d+\s+http:\/\/ns\.useplus\.org\/ldf\/vocab\/DMI-PROHIBITED-AIMLTRAINING/, `${label}: DataMining (exiv2)`);
    t.match(x, /Xmp\.dc\.creator\s+XmpSeq\s+1\s+Jane Artist/, `${label}: dc:creator (exiv2)`);
    t.match(x, /Xmp\.dc\.rights\s+LangAlt\s+1\s+lang="x-default" © \d{4} Jane Artist\. All rights reserved\./, `${label}: dc:rights (exiv2)`);
  }
  const all = await exiv2(['-pa', preview.path]);
  t.notMatch(all, /GPS/, 'preview: no GPS (exiv2)');
  t.notMatch(all, /Exif\.Image\.(Make|Model)|Exif\.Photo\./, 'preview: no camera EXIF (exiv2)');
  t.match(await exiv2(['-pa', master.path]), /Exif\.GPSInfo/, 'the private master is the original file, GPS included');
  t.equal((await sharp(master.path).metadata()).width, 640, 'master at full resolution');
  t.equal(r.input.width, 640);
});

t.test('orientation applied, never enlarged, long edge capped', async (t) => {
  const env = await makeEnv(t);
  const upright = await processFile(path.join(FIXTURES, 'photos/landscape_6.jpg'), { source: 'cli' }, env);
  const p = previewOf(upright);
  const m = await sharp(p.path).metadata();
  t.equal(m.width, 600, 'rotated by its EXIF orientation 6: landscape');
  t.equal(m.height, 450);
  t.equal(m.orientation, undefined, 'no orientation tag left to rotate it twice');
  const small = await processFile(path.join(FIXTURES, 'photos/Canon_40D.jpg'), { source: 'cli' }, env);
  t.match(previewOf(small), { width: 100, height: 68 }, 'a 100 px image stays 100 px');
  const big = await makeImage(path.join(t.testdir(), 'big.png'), 3000, 2000);
  const r = await processFile(big, { source: 'cli' }, env);
  t.match(previewOf(r), { width: 1600, height: 1067 });
  const custom = await processFile(big, { source: 'export', publicPreview: 'always', preview: { longEdge: 800, format: 'webp' } }, env);
  const cp = previewOf(custom);
  t.match(cp, { width: 800, height: 533 });
  t.match(cp.path, /\.preview\.webp$/);
  t.equal((await sharp(cp.path).metadata()).format, 'webp');
});

t.test('16-bit input gives an 8-bit sRGB preview', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(t.testdir(), 'render16.png'), 400, 300, { depth16: true });
  t.equal((await sharp(src).metadata()).depth, 'ushort', 'the source really is 16-bit');
  const r = await processFile(src, { source: 'f12' }, env);
  const m = await sharp(previewOf(r).path).metadata();
  t.equal(m.depth, 'uchar');
  t.equal(m.space, 'srgb');
  t.equal(m.channels, 3);
});

t.test('an untagged 16-bit render drops to 8-bit before resizing; a 16-bit picture with a profile keeps its colour transform', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const plain = await makeImage(path.join(dir, 'plain16.png'), 900, 600, { depth16: true });
  const p3 = path.join(dir, 'p3_16.png');
  await sharp(await fs.readFile(plain)).toColourspace('rgb16').withIccProfile('p3').png().toFile(p3);
  t.ok((await sharp(p3).metadata()).icc != null, 'the second input really carries a profile');
  const { icc: srgb } = await sharp(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } }).withIccProfile('srgb').jpeg().toBuffer()).metadata();
  for (const [file, untagged] of [[plain, true], [p3, false]] as const) {
    const { ctx, result } = await runStages(file, { source: 'f12' }, env);
    t.equal(ctx!.cls!.untagged16 === true, untagged, `${path.basename(file)}: ${untagged ? 'taken' : 'not taken'} as untagged 16-bit`);
    // The reference keeps every colour step in 16 bits (and honours the profile); the shortcut converts first.
    const reference = await reducePicture({ file }, 1600, file);
    const shortcut = await reducePicture({ file }, 1600, file, undefined, { eightBitFirst: true });
    const got = await sharp(ctx!.preview!.buffer).removeAlpha().raw().toBuffer();
    // Compared above the watermark band, pixel by pixel (the preview is the same size: no resize here).
    const diff = (x: Buffer) => { const n = Math.floor(x.length * 0.8); let s = 0; for (let i = 0; i < n; i++) s += Math.abs(x[i]! - got[i]!); return s / n; };
    t.ok(diff(reference.raw) < 3, `${path.basename(file)}: the preview matches the 16-bit reduction (mean difference ${diff(reference.raw).toFixed(2)})`);
    if (!untagged) t.ok(diff(reference.raw) < diff(shortcut.raw), `the profile was applied (${diff(reference.raw).toFixed(2)} from the transformed picture, ${diff(shortcut.raw).toFixed(2)} from the untransformed one)`);
    const icc = (await sharp(previewOf(result).path).metadata()).icc;
    t.ok(icc != null && icc.equals(srgb!), 'the preview is tagged with the sRGB profile libvips attaches');
  }
});

t.test("Blender's PNG text chunks (file paths, host names) are stripped", async (t) => {
  const env = await makeEnv(t);
  const src = path.join(t.testdir(), 'blender_render.png');
  const base = await makeImage(path.join(t.testdir(), 'base.png'), 200, 150);
  // Blender writes its stamp fields as uncompressed tEXt chunks before IEND.
  await fs.writeFile(src, withPngText(await fs.readFile(base), { File: '/home/jane/secret-client/scene.blend', Hostname: 'janes-workstation.local', Note: 'hello' }));
  const before = await fs.readFile(src);
  t.ok(before.includes('secret-client'), 'the test input carries the path');
  const r = await processFile(src, { source: 'f12' }, env);
  const bytes = await fs.readFile(previewOf(r).path);
  t.notOk(bytes.includes('secret-client'), 'no file path in the preview');
  t.notOk(bytes.includes('janes-workstation'), 'no host name in the preview');
  const master = await fs.readFile(r.outputs.find((o) => o.purpose === 'master')!.path);
  t.ok(master.includes('secret-client'), 'the private master is the artist\'s own file and keeps them');
});

t.test('watermark placement changes pixels; none leaves the picture alone', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(t.testdir(), 'wm.png'), 600, 400);
  const grey = async (placement: 'none' | 'corner' | 'tiled') => {
    const r = await processFile(src, { source: 'export', publicPreview: 'always', preview: { watermark: { placement, opacity: 0.6 } } }, env);
    return sharp(previewOf(r).path).resize(300, 200, { fit: 'fill' }).greyscale().raw().toBuffer();
  };
  const [none, corner, tiled] = [await grey('none'), await grey('corner'), await grey('tiled')];
  const diff = (a: Buffer, b: Buffer, region?: (x: number, y: number) => boolean) => {
    let d = 0;
    for (let y = 0; y < 200; y++) for (let x = 0; x < 300; x++) if (region == null || region(x, y)) d += Math.abs(a[y * 300 + x]! - b[y * 300 + x]!);
    return d;
  };
  const topLeft = (x: number, y: number) => x < 150 && y < 100;
  const bottomRight = (x: number, y: number) => x >= 150 && y >= 150;
  t.ok(diff(none, corner, bottomRight) > 2000, 'corner mark is in the bottom-right');
  t.ok(diff(none, corner, topLeft) < 500, 'corner mark leaves the top-left alone');
  t.ok(diff(none, tiled, topLeft) > 2000, 'tiled mark covers the top-left too');
});

t.test('perceptual hash of the preview stays close to the input', async (t) => {
  const env = await makeEnv(t);
  const r = await processFile(path.join(FIXTURES, 'photos/DSCN0010.jpg'), { source: 'cli' }, env);
  const p = r.outputs.find((o) => o.purpose === 'preview')!;
  t.match(r.input.phash, /^[0-9a-f]{16}$/);
  t.ok(hammingDistance(r.input.phash!, p.phash!) <= 10, `distance ${hammingDistance(r.input.phash!, p.phash!)}`);
});

t.test('EXR renders and HDRIs get tone-mapped previews; textures a small tiled one', async (t) => {
  const env = await makeEnv(t);
  const exr = await processFile(path.join(FIXTURES, 'exr/Carrots.exr'), { source: 'cli' }, env);
  t.match(previewOf(exr), { width: 600, height: 400 });
  const stats = await sharp(previewOf(exr).path).stats();
  t.ok(stats.channels[0]!.mean > 30 && stats.channels[0]!.mean < 220, 'a real picture, not black or white');
  const hdri = await processFile(path.join(FIXTURES, 'exr/WavyLinesLatLong.exr'), { source: 'cli' }, env);
  t.match(previewOf(hdri), { width: 1024, height: 512 });
  const tex = await makeImage(path.join(t.testdir(), 'Brick_BaseColor.png'), 2048, 2048);
  const tr = await processFile(tex, { source: 'cli' }, env);
  t.match(previewOf(tr), { width: 512, height: 512 }, 'source-rich map: reduced to 512 px');
  t.equal(tr.input.sourceRich, true);
});

t.test('display rendition: preview from the PNG, master from the EXR', async (t) => {
  const env = await makeEnv(t);
  const display = await makeImage(path.join(t.testdir(), 'carrots_display.png'), 600, 400, { seed: 9 });
  const r = await processFile(path.join(FIXTURES, 'exr/Carrots.exr'), { source: 'f12', display }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  t.equal(master.sha256, r.input.sha256, 'master is the EXR');
  const dp = await sharp(display).resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer();
  const pp = await sharp(previewOf(r).path).resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer();
  let d = 0;
  for (let i = 0; i < dp.length; i++) d += Math.abs(dp[i]! - pp[i]!);
  t.ok(d / dp.length < 12, 'preview pixels come from the display rendition');
});

t.test('the corner notice is blended only where its text is, with the same pixels as a blend of the whole frame', async (t) => {
  const dir = t.testdir();
  for (const [w, h] of [[1600, 900], [333, 200]] as const) {
    const pic = await reducePicture({ file: await makeImage(path.join(dir, `in-${w}.png`), w, h) }, 1600, 'in.png');
    const text = '© 2026 Jane Artist';
    const overlay = watermarkOverlay(text, pic.width, pic.height, 'corner', 0.5)!;
    const whole = await sharp(pic.raw, { raw: { width: pic.width, height: pic.height, channels: 3 } })
      .composite([{ input: overlay.input, top: overlay.top, left: overlay.left }]).removeAlpha().jpeg({ quality: 100, optimiseCoding: false }).toBuffer();
    const plan = { longEdge: 1600, format: 'jpeg' as const, quality: 100, watermarkText: text, placement: 'corner' as const, opacity: 0.5 };
    const ours = await encodePreview({ ...pic, raw: Buffer.from(pic.raw) }, plan, pic, { consume: true });
    const [a, b] = await Promise.all([sharp(ours.buffer).raw().toBuffer(), sharp(whole).raw().toBuffer()]);
    t.ok(a.equals(b), `${w}×${h}: pixel for pixel the same`);
    t.notOk(a.equals(await sharp(await sharp(pic.raw, { raw: { width: pic.width, height: pic.height, channels: 3 } }).jpeg({ quality: 100, optimiseCoding: false }).toBuffer()).raw().toBuffer()), 'and the notice is there');
  }
});
