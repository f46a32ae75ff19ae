// Real files of every kind that used to be refused: multi-part, deep, luminance-chroma and Y-only OpenEXR,
// Blender MultiLayer renders (made here by real Blender), HEIC/HEIF phone photos.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import type { AssetResult } from '../../protocol/src/results.ts';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { processFile, processPaths } from '../../server/pipeline/process.ts';
import { exiv2, FIXTURES, makeEnv, run } from '../helpers/pipeline-env.ts';

const readTags = async (f: string) => (await getExifTool().readRaw(f, ['-G1', '-a', '-n'])) as Record<string, unknown>;
const out = (r: AssetResult, purpose: string) => r.outputs.find((o) => o.purpose === purpose);

/** The rights stamp is readable by exiftool and exiv2 from the file's own metadata (or its .xmp sidecar). */
async function checkStamp(t: Test, file: string, who = 'Jane Artist'): Promise<void> {
  const tags = await readTags(file);
  t.equal([tags['XMP-dc:Creator']].flat()[0], who, `${path.basename(file)}: exiftool reads dc:creator`);
  t.equal(tags['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING', `${path.basename(file)}: exiftool reads plus:DataMining`);
  // exiv2 0.27 (Debian 12) misreads this file's own iloc box (it takes every item offset as 0, as `exiv2 -pS`
  // shows, for the camera's EXIF too), so it finds no metadata at all in it; exiftool reads it fully.
  if (path.basename(file) === 'samplefilehub.heif') return;
  t.match(await exiv2(['-px', file]), /Xmp\.plus\.DataMining\s+XmpText\s+\d+\s+\S*DMI-PROHIBITED-AIMLTRAINING/, `${path.basename(file)}: exiv2 reads plus:DataMining`);
}

t.test('fixtures that used to be refused: each gets a stamped master and a preview', async (t) => {
  const env = await makeEnv(t);
  const names = ['photos/45-gps_ifd.jpg', 'photos/IMG_5195.HEIC', 'photos/samplefilehub.heif', 'exr/multipart.0001.exr', 'exr/Flowers.exr', 'exr/GrayRampsHorizontal.exr', 'exr/Trunks.exr'];
  const report = await processPaths(names.map((n) => path.join(FIXTURES, n)), { source: 'cli' }, env);
  t.same(report.errors, [], 'none refused');
  for (const r of report.results) {
    const name = path.basename(r.input.path);
    const master = out(r, 'master')!;
    const preview = out(r, 'preview');
    t.ok(preview, `${name}: has a public preview`);
    t.ok(r.ledgerSeq != null, `${name}: recorded in the ledger`);
    if (r.input.format === 'exr') {
      t.equal(master.metadata, 'sidecar');
      await checkStamp(t, out(r, 'sidecar')!.path);
    } else {
      t.equal(master.metadata, 'embedded');
      await checkStamp(t, master.path);
    }
    await checkStamp(t, preview!.path);
    const meta = await sharp(preview!.path).metadata();
    t.ok(Math.max(meta.width!, meta.height!) <= 1600, `${name}: preview within the long edge`);
    const stats = await sharp(preview!.path).stats();
    t.ok(stats.channels.some((c) => c.max - c.min > 30), `${name}: the preview shows a picture, not a flat field`);
  }
  const by = Object.fromEntries(report.results.map((r) => [path.basename(r.input.path), r]));
  t.same([by['multipart.0001.exr']!.input.width, by['multipart.0001.exr']!.input.height], [2048, 1556], 'multi-part: the display window, not the data window');
  t.match(by['multipart.0001.exr']!.warnings.join('\n'), /part 1 of 10 \("rgba_right"\)/, 'the part used for the preview is named');
  t.same([by['Trunks.exr']!.input.width, by['Trunks.exr']!.input.height], [1024, 576], 'deep: display window');
  t.match(by['Trunks.exr']!.warnings.join('\n'), /deep image.*flattened/);
  t.match(by['GrayRampsHorizontal.exr']!.warnings.join('\n'), /luminance-only/);
  const flowers = await sharp(out(by['Flowers.exr']!, 'preview')!.path).stats();
  t.ok(Math.abs(flowers.channels[0]!.mean - flowers.channels[2]!.mean) > 5, 'luminance-chroma is converted to colour, not grey');
  t.equal(by['IMG_5195.HEIC']!.input.format, 'heif');
  const heicPreview = await sharp(out(by['IMG_5195.HEIC']!, 'preview')!.path).metadata();
  t.same([heicPreview.width, heicPreview.height], [1239, 1600], 'HEIC preview upright at the long edge');
});

t.test('Blender MultiLayer renders (ZIP, PIZ, DWAA) sent as an F12 master with no display rendition', async (t) => {
  const dir = t.testdir();
  const script = `
import bpy, sys
out = sys.argv[sys.argv.index('--') + 1]
s = bpy.context.scene
s.render.engine = 'CYCLES'
s.cycles.samples = 2
s.cycles.use_denoising = False
s.cycles.device = 'CPU'
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 48, 32, 100
vl = s.view_layers[0]
vl.use_pass_z = True
vl.use_pass_normal = True
s.render.image_settings.file_format = 'OPEN_EXR_MULTILAYER'
for codec in ['ZIP', 'PIZ', 'DWAA']:
    s.render.image_settings.exr_codec = codec
    s.render.filepath = f"{out}/multilayer_{codec.lower()}.exr"
    bpy.ops.render.render(write_still=True)
`;
  await fs.writeFile(path.join(dir, 'make.py'), script);
  await run('blender', ['-b', '--factory-startup', '--python', path.join(dir, 'make.py'), '--', dir], { timeout: 240_000 });
  const env = await makeEnv(t);
  for (const codec of ['zip', 'piz', 'dwaa']) {
    const file = path.join(dir, `multilayer_${codec}.exr`);
    const header = (await run('exrheader', [file])).stdout;
    t.match(header, /ViewLayer\.Combined\.R/, `${codec}: Blender wrote MultiLayer channels`);
    const r = await processFile(file, { source: 'f12' }, env);
    t.equal(r.input.kind, 'render');
    t.same([r.input.width, r.input.height], [48, 32]);
    const preview = out(r, 'preview');
    t.ok(preview, `${codec}: the daemon made the public preview itself`);
    t.match(r.warnings.join('\n'), /layer "ViewLayer\.Combined"/, `${codec}: the layer used is named`);
    await checkStamp(t, out(r, 'sidecar')!.path);
    await checkStamp(t, preview!.path);
    const stats = await sharp(preview!.path).stats();
    t.ok(stats.channels[0]!.mean > 5, `${codec}: the preview is the lit default cube scene, not black`);
  }
});

t.test('NaN and Inf pixels give a finite preview, not a failure', async (t) => {
  const env = await makeEnv(t);
  const file = path.join(t.testdir(), 'nan_inf.exr');
  // 0/0 = NaN along the top, x/0 = Inf below it.
  await run('oiiotool', ['--pattern', 'fill:top=0,0,0:bottom=1,0.5,0.25', '64x48', '3', '--divc', '0', '-d', 'half', '--compression', 'piz', '-o', file]);
  const r = await processFile(file, { source: 'f12' }, env);
  t.ok(out(r, 'preview'), 'preview made');
  t.ok(r.input.phash, 'and hashed');
});

t.test('without the Debian decoders: UNSUPPORTED_FORMAT naming the package, never "damaged"; deep EXR still recorded', async (t) => {
  const env = await makeEnv(t);
  await getExifTool().version(); // exiftool (perl) is started before PATH is narrowed
  const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-path-'));
  t.teardown(() => fs.rm(bin, { recursive: true, force: true }));
  const saved = process.env.PATH;
  process.env.PATH = bin;
  let r;
  try {
    r = await processPaths(['photos/samplefilehub.heif', 'exr/multipart.0001.exr', 'exr/Trunks.exr'].map((n) => path.join(FIXTURES, n)), { source: 'cli' }, env);
  } finally {
    process.env.PATH = saved;
  }
  const failed = Object.fromEntries(r.errors.map((e) => [path.basename(e.input), e]));
  t.equal(failed['samplefilehub.heif']?.code, 'UNSUPPORTED_FORMAT');
  t.match(failed['samplefilehub.heif']?.message, /libvips-tools/, 'HEIC: names the package to install');
  t.equal(failed['multipart.0001.exr']?.code, 'UNSUPPORTED_FORMAT');
  t.match(failed['multipart.0001.exr']?.message, /openimageio-tools/, 'multi-part EXR: names the package to install');
  for (const e of r.errors) t.notMatch(e.message, /damaged/i, `${path.basename(e.input)}: never called damaged`);
  const deep = r.results.find((x) => x.input.path.endsWith('Trunks.exr'));
  t.ok(deep, 'a deep EXR is still recorded without its decoder');
  t.match(deep?.warnings.join('\n'), /no preview: deep image.*openimageio-tools/);
  t.same(deep?.outputs.map((o) => o.purpose).sort(), ['manifest', 'master', 'sidecar', 'sidecar'], 'master and its sidecars, no preview');
  t.same(deep?.outputs.filter((o) => o.purpose === 'sidecar').map((o) => path.extname(o.path)).sort(), ['.c2pa', '.xmp'], 'the sidecars: XMP rights and the Content Credential');
  const priv = path.join(env.outRoot, 'private');
  for (const d of await fs.readdir(priv)) t.not((await fs.readdir(path.join(priv, d))).length, 0, `private/${d} is not an empty folder`);
});

t.test('every OpenEXR codec, tiled and mip-mapped, float and uint channels, and a display window larger than the data', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const base = path.join(dir, 'base.exr');
  await run('oiiotool', ['--pattern', 'fill:topleft=0,0,0:topright=2,0.5,0:bottomleft=0,0.3,1:bottomright=1,1,1', '64x40', '3', '-d', 'half', '-o', base]);
  const files: Array<[string, string[]]> = [];
  for (const codec of ['none', 'rle', 'zips', 'zip', 'piz', 'pxr24', 'b44', 'b44a', 'dwaa', 'dwab']) files.push([`codec_${codec}.exr`, ['--compression', codec]]);
  files.push(['tiled.exr', ['--tile', '16', '16', '--compression', 'zip']]);
  files.push(['mipmap.exr', ['--compression', 'zip']]); // written with -otex: tiled, every MIP level
  files.push(['float32.exr', ['-d', 'float', '--compression', 'zip']]);
  files.push(['uint32.exr', ['-d', 'uint32', '--compression', 'zip']]);
  files.push(['display_window.exr', ['--fullsize', '100x60+0+0', '--origin', '+10+5']]);
  for (const [name, args] of files) {
    const file = path.join(dir, name);
    await run('oiiotool', [base, ...args, name === 'mipmap.exr' ? '-otex' : '-o', file]);
    const r = await processFile(file, { source: 'f12' }, env);
    t.ok(out(r, 'preview'), `${name}: preview`);
    if (name === 'display_window.exr') {
      t.same([r.input.width, r.input.height], [100, 60], 'display window size, not the data window');
      const p = await sharp(out(r, 'preview')!.path).metadata();
      t.same([p.width, p.height], [100, 60]);
    } else {
      t.same([r.input.width, r.input.height], [64, 40], `${name}: size`);
    }
  }
});
