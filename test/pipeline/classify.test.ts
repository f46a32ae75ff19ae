import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { classifyFile } from '../../server/pipeline/classify.ts';
import { roleFromName } from '../../server/pipeline/texture-role.ts';
import { ColophonError } from '../../server/errors.ts';
import { FIXTURES, makeImage, pngClaiming } from '../helpers/pipeline-env.ts';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import sharp from 'sharp';

t.teardown(closeExifTool);
const dir = t.testdir();

t.test('texture roles from name tokens', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['Brick_BaseColor', 'base-color'], ['rock_albedo_4k', 'base-color'], ['wood_diff_2k', 'base-color'], ['metal_base_color', 'base-color'],
    ['Brick_Normal', 'normal'], ['rock_nor_gl_4k', 'normal'], ['tile-nrm', 'normal'],
    ['Brick_Roughness', 'roughness'], ['floor_rough', 'roughness'],
    ['Gold_Metallic', 'metallic'], ['steel_metalness', 'metallic'],
    ['stone_AO', 'ambient-occlusion'], ['stone_ambient_occlusion', 'ambient-occlusion'],
    ['cliff_height', 'height'], ['cliff_disp_8k', 'displacement'], ['leather-bump', 'bump'],
    ['leaf_opacity', 'opacity'], ['leaf_alpha', 'opacity'], ['lamp_emission', 'emission'], ['car_specular', 'specular'],
    ['crate_ORM', 'orm'], ['crate_arm_1k', 'orm'], ['decal_mask', 'mask'],
    ['sunset_over_lake', undefined], ['render_0001', undefined], ['MyScene', undefined],
  ];
  for (const [stem, role] of cases) t.equal(roleFromName(stem), role, stem);
});

t.test('images: texture by name, render by default or by source, normal map by content', async (t) => {
  const tex = await makeImage(path.join(dir, 'Brick_BaseColor.png'), 64, 64);
  const c1 = await classifyFile(tex);
  t.match(c1, { kind: 'texture', role: 'base-color', sourceRich: true, format: 'png', width: 64, height: 64 });
  const render = await makeImage(path.join(dir, 'my_scene.png'), 120, 80);
  t.match(await classifyFile(render), { kind: 'render', sourceRich: false, format: 'png' });
  // A map-like name rendered with F12 is still a presentation render.
  t.match(await classifyFile(tex, 'f12'), { kind: 'render', sourceRich: false });
  const flatNormal = path.join(dir, 'untitled.png');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 255 } } }).png().toFile(flatNormal);
  t.match(await classifyFile(flatNormal), { kind: 'texture', role: 'normal' }, 'normal map found from its colours');
  const unnamed = await makeImage(path.join(dir, 'Textures', 'wood_variation.png'), 64, 64);
  t.match(await classifyFile(unnamed), { kind: 'texture', role: 'unknown', sourceRich: true }, 'a map with no role token in a textures folder');
  t.match(await classifyFile(unnamed, 'export'), { kind: 'render' }, 'exported from Blender it is a presentation render');
});

t.test('content wins over a lying extension', async (t) => {
  const jpg = path.join(dir, 'actually_jpeg.png');
  await makeImage(jpg, 40, 30, { format: 'jpeg' });
  const c = await classifyFile(jpg);
  t.equal(c.format, 'jpeg');
  t.match(c.warnings.join(' '), /named \.png but the content is JPEG/);
  const txt = path.join(dir, 'notes.png');
  await fs.writeFile(txt, 'this is not a picture\n');
  await t.rejects(classifyFile(txt), { key: 'UNSUPPORTED_FORMAT', message: /named \.png but its content is text/ });
});

t.test('EXR: lat-long is an HDRI, other EXR a source-rich render', async (t) => {
  t.match(await classifyFile(path.join(FIXTURES, 'exr/WavyLinesLatLong.exr')), { kind: 'hdri', sourceRich: true, format: 'exr', width: 1024, height: 512 });
  t.match(await classifyFile(path.join(FIXTURES, 'exr/Carrots.exr')), { kind: 'render', sourceRich: true, format: 'exr', width: 600, height: 400 });
  for (const n of [1, 2, 3]) {
    await t.rejects(classifyFile(path.join(FIXTURES, `exr/damaged-${n}.exr`)), { name: 'ColophonError', key: 'CORRUPT_FILE' }, `damaged-${n}`);
  }
});

t.test('Radiance HDR is an HDRI', async (t) => {
  const f = path.join(dir, 'sky.hdr');
  await fs.writeFile(f, Buffer.concat([Buffer.from('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 4\n'), Buffer.alloc(32, 128)]));
  t.match(await classifyFile(f), { kind: 'hdri', sourceRich: true, format: 'hdr' });
});

t.test('.blend: plain, gzip and zstd; header-only is corrupt', async (t) => {
  t.match(await classifyFile(path.join(FIXTURES, 'blend/basic_file.blend')), { kind: 'blend', format: 'blend', sourceRich: true });
  t.match(await classifyFile(path.join(FIXTURES, 'blend/particle.blend')), { kind: 'blend', format: 'blend-gzip' });
  t.match(await classifyFile(path.join(FIXTURES, 'blend/basic_file_compressed_zstd.blend')), { kind: 'blend', format: 'blend-zstd' });
  await t.rejects(classifyFile(path.join(FIXTURES, 'blend/corrupt_only_magic.blend')), { key: 'CORRUPT_FILE', message: /no scene data/ });
  const truncated = path.join(dir, 'truncated.blend');
  const full = await fs.readFile(path.join(FIXTURES, 'blend/basic_file.blend'));
  await fs.writeFile(truncated, full.subarray(0, 100_000));
  await t.rejects(classifyFile(truncated), { key: 'CORRUPT_FILE', message: /truncated|past the end/ });
});

t.test('zip of maps is a texture pack; other zips are other', async (t) => {
  const mk = (file: string, names: string[]) =>
    new Promise<void>((resolve) => {
      const z = new yazl.ZipFile();
      for (const n of names) z.addBuffer(Buffer.from(n), n);
      z.end();
      z.outputStream.pipe(createWriteStream(file)).on('close', () => resolve());
    });
  const pack = path.join(dir, 'maps.zip');
  await mk(pack, ['Wood_BaseColor.png', 'Wood_Normal.png', 'Wood_Roughness.png', 'readme.txt']);
  t.match(await classifyFile(pack), { kind: 'texture-pack', format: 'zip', sourceRich: true });
  const docs = path.join(dir, 'docs.zip');
  await mk(docs, ['a.txt', 'b.pdf', 'c.doc']);
  t.match(await classifyFile(docs), { kind: 'other', format: 'zip' });
});

t.test('models and video by magic bytes or plausible extension', async (t) => {
  const cases: Array<[string, Buffer | string, string]> = [
    ['chair.glb', Buffer.concat([Buffer.from('glTF'), Buffer.alloc(16)]), 'glb'],
    ['chair.fbx', Buffer.concat([Buffer.from('Kaydara FBX Binary  \0'), Buffer.alloc(16)]), 'fbx'],
    ['chair.obj', 'o Chair\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n', 'obj'],
    ['chair.ply', 'ply\nformat ascii 1.0\nend_header\n', 'ply'],
    ['chair.usda', '#usda 1.0\n', 'usda'],
    ['chair.gltf', '{"asset":{"version":"2.0"}}', 'gltf'],
  ];
  for (const [name, content, format] of cases) {
    const f = path.join(dir, name);
    await fs.writeFile(f, content);
    t.match(await classifyFile(f), { kind: 'model', format, sourceRich: true }, name);
  }
  const mp4 = path.join(dir, 'turntable.mp4');
  await fs.writeFile(mp4, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(16)]));
  t.match(await classifyFile(mp4), { kind: 'video', format: 'mp4', sourceRich: false });
  const other = path.join(dir, 'notes.txt');
  await fs.writeFile(other, 'client notes');
  t.match(await classifyFile(other), { kind: 'other', sourceRich: true });
});

t.test('limits and empty files', async (t) => {
  const empty = path.join(dir, 'empty.png');
  await fs.writeFile(empty, '');
  await t.rejects(classifyFile(empty), { name: 'ColophonError', key: 'EMPTY_FILE' });
  const huge = path.join(dir, 'huge.png');
  await fs.writeFile(huge, pngClaiming(50000, 50000));
  const err = await classifyFile(huge).catch((e: unknown) => e);
  t.ok(err instanceof ColophonError);
  t.match(err, { key: 'TOO_LARGE', message: /50000×50000/ });
});
