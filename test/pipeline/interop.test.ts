// Metadata as other tools read it: IIM/XMP agreement (IPTCDigest), MetadataDate, sRGB-tagged previews, sidecars
// bound to their file (and evidence resolving each to its own asset), photo flag, colour words in render names.
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import yazl from 'yazl';
import type { AssetResult } from '../../protocol/src/results.ts';
import { loadAssetIndex, resolveTarget } from '../../server/evidence/assets.ts';
import { classifyFile } from '../../server/pipeline/classify.ts';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { processFile } from '../../server/pipeline/process.ts';
import { exiv2, FIXTURES, makeEnv, makeImage, run } from '../helpers/pipeline-env.ts';

const readTags = async (f: string) => (await getExifTool().readRaw(f, ['-G1', '-a', '-n', '-All', '-File:CurrentIPTCDigest'])) as Record<string, unknown>;
const out = (r: AssetResult, purpose: string) => r.outputs.find((o) => o.purpose === purpose)!;
const exr = async (file: string, colour: string) => {
  await run('oiiotool', ['--pattern', `constant:color=${colour}`, '40x30', '3', '-d', 'half', '--compression', 'zip', '-o', file]);
  return file;
};

t.test('IIM and XMP agree (IPTCDigest), MetadataDate moves on every stamp', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const src = path.join(dir, 'photo.jpg');
  await fs.copyFile(path.join(FIXTURES, 'photos', 'DSCN0010.jpg'), src);
  // An artist's file whose XMP already carries a headline, city and source, and an old MetadataDate.
  await getExifTool().write(src, { 'XMP-dc:Creator': ['Old Owner'], 'XMP-photoshop:Credit': 'Old Credit', 'XMP-photoshop:Headline': 'Harbour at dawn', 'XMP-photoshop:City': 'Lisbon', 'XMP-photoshop:Source': 'Studio A', 'XMP-xmp:MetadataDate': '2001:02:03 04:05:06+00:00' } as never, { writeArgs: ['-overwrite_original'] });
  const started = Date.now();
  const r = await processFile(src, { source: 'cli' }, env);
  const tags = await readTags(out(r, 'master').path);
  t.ok(typeof tags['Photoshop:IPTCDigest'] === 'string' && /^[0-9a-f]{32}$/.test(tags['Photoshop:IPTCDigest'] as string), 'IPTCDigest written');
  t.equal(tags['Photoshop:IPTCDigest'], tags['File:CurrentIPTCDigest'], 'and it is the digest of the IIM block as it now is');
  t.equal(tags['IPTC:Headline'], 'Harbour at dawn', 'IIM Headline mirrors XMP');
  t.equal(tags['IPTC:City'], 'Lisbon');
  t.equal(tags['IPTC:Source'], 'Studio A');
  t.equal([tags['IPTC:By-line']].flat()[0], 'Jane Artist', 'our stamp wins in IIM over the old XMP creator');
  t.equal(tags['IPTC:Credit'], 'Jane Artist');
  t.match(await exiv2(['-pi', out(r, 'master').path]), /Iptc\.Application2\.Headline\s+String\s+\d+\s+Harbour at dawn/);
  for (const o of [out(r, 'master'), out(r, 'preview')]) {
    const date = String((await readTags(o.path))['XMP-xmp:MetadataDate']);
    const ms = Date.parse(date.replace(/^(\d+):(\d+):(\d+) /, '$1-$2-$3T'));
    t.ok(ms >= started - 2000, `${o.purpose}: MetadataDate ${date} is the stamp's time, not the old one`);
  }
});

t.test('previews carry an embedded sRGB ICC profile', async (t) => {
  const env = await makeEnv(t);
  for (const [name, format] of [['p.png', 'jpeg'], ['q.png', 'webp']] as const) {
    const env2 = { ...env, profile: { ...env.profile, preview: { ...env.profile.preview, format } } };
    const r = await processFile(await makeImage(path.join(t.testdir(), name), 200, 120, { seed: name.length + format.length }), { source: 'cli' }, env2);
    const preview = out(r, 'preview').path;
    const meta = await sharp(preview).metadata();
    t.ok(meta.icc != null && meta.icc.length > 0, `${format}: ICC profile embedded`);
    t.match(String((await readTags(preview))['ICC_Profile:ProfileDescription']), /sRGB/i, `${format}: and it is sRGB`);
  }
});

t.test('sidecars are bound to their file; evidence on a pack zip names exactly its own assets', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const a = await processFile(await exr(path.join(dir, 'shot_a.exr'), '1,0,0'), { source: 'cli' }, env);
  const b = await processFile(await exr(path.join(dir, 'shot_b.exr'), '0,0,1'), { source: 'cli' }, env);
  const other = await processFile(await exr(path.join(dir, 'not_in_pack.exr'), '0,1,0'), { source: 'cli' }, env);
  const sa = out(a, 'sidecar');
  const sb = out(b, 'sidecar');
  t.not(sa.sha256, sb.sha256, 'two files never share a sidecar');
  for (const [r, s] of [[a, sa], [b, sb]] as const) {
    const tags = await readTags(s.path);
    t.equal(tags['XMP-xmpMM:DocumentID'], `urn:sha256:${r.input.sha256}`, `${path.basename(s.path)}: DocumentID is its file's hash`);
    t.equal(tags['XMP-xmpMM:InstanceID'], `urn:sha256:${r.input.sha256}`);
    t.equal([tags['XMP-dc:Identifier']].flat()[0], `sha256:${r.input.sha256}`);
    t.equal([tags['XMP-dc:Source']].flat()[0], path.basename(r.input.path), 'dc:source names its file');
    t.match(await exiv2(['-px', s.path]), new RegExp(`Xmp\\.xmpMM\\.DocumentID\\s+XmpText\\s+\\d+\\s+urn:sha256:${r.input.sha256}`));
  }
  // A delivered pack: both masters and their sidecars.
  const zipPath = path.join(dir, 'pack.zip');
  const zip = new yazl.ZipFile();
  for (const r of [a, b]) for (const o of [out(r, 'master'), out(r, 'sidecar')]) zip.addFile(o.path, `pack/${path.basename(o.path)}`);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(zipPath)).on('close', () => resolve()).on('error', reject));
  const index = await loadAssetIndex(env.ledger!);
  const resolved = await resolveTarget(index, zipPath);
  t.same(resolved.assets.map((x) => x.assetId).sort(), [a.assetId, b.assetId].sort(), 'exactly the two assets in the pack');
  t.notOk(resolved.assets.some((x) => x.assetId === other.assetId));
  for (const r of [a, b]) {
    const one = await resolveTarget(index, out(r, 'sidecar').path);
    t.same(one.assets.map((x) => x.assetId), [r.assetId], `${path.basename(r.input.path)}.xmp resolves to its own asset`);
  }
});

t.test('camera-made files are flagged as photos; colour words in a render name do not make a texture', async (t) => {
  const env = await makeEnv(t);
  const dir = t.testdir();
  const canon = await processFile(path.join(FIXTURES, 'photos', 'Canon_40D.jpg'), { source: 'cli' }, env);
  t.equal(canon.input.photo, true, 'camera JPEG: photo');
  t.match(String((await readTags(out(canon, 'master').path))['XMP-iptcExt:DigitalSourceType']), /digitalCapture$/);
  const carrots = await processFile(path.join(FIXTURES, 'exr', 'Carrots.exr'), { source: 'cli' }, env);
  t.equal(carrots.input.photo, true, 'EXR whose header names the camera: photo');
  const render = await processFile(await makeImage(path.join(dir, 'scene.png'), 64, 48), { source: 'cli' }, env);
  t.equal(render.input.photo, undefined, 'a generated picture is not a photo');
  for (const name of ['WideColorGamut.exr', 'ColorCodedLevels.exr', 'NormalDistribution.exr', 'metal_sculpture_final.exr']) {
    const c = await classifyFile(await exr(path.join(dir, name), '0.5,0.5,0.5'), 'cli');
    t.equal(c.kind, 'render', `${name}: a render, not a texture`);
  }
  for (const [name, role] of [['Brick_Color.exr', 'base-color'], ['Wood_Normal_GL.exr', 'normal'], ['rock_albedo_colorful.exr', 'base-color']] as const) {
    const c = await classifyFile(await exr(path.join(dir, name), '0.5,0.5,0.5'), 'cli');
    t.match(c, { kind: 'texture', role }, `${name}: still a ${role} texture`);
  }
});
