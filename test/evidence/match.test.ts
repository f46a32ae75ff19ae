import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { loadAssetIndex } from '../../server/evidence/assets.ts';
import { DEFAULT_THRESHOLD, matchFiles } from '../../server/evidence/match.ts';
import { processPaths } from '../../server/pipeline/process.ts';
import { FIXTURES, makeEnv } from '../helpers/pipeline-env.ts';
import { cli, makeCopies, makeRender } from './helpers.ts';

const RECORDED_PHOTOS = ['DSCN0010.jpg', 'landscape_6.jpg', 'image00971.jpg'];

t.test('copies of recorded photos and renders are found; unrelated images are not flagged', async (t) => {
  const env = await makeEnv(t);
  const work = path.join(env.home, 'work');
  const renders: string[] = [];
  for (const seed of [1, 2, 3]) renders.push(await makeRender(path.join(work, `render-${seed}.png`), seed));
  const { results, errors } = await processPaths([...RECORDED_PHOTOS.map((p) => path.join(FIXTURES, 'photos', p)), ...renders], { source: 'cli' }, env);
  t.same(errors, []);
  t.equal(results.length, 6);

  // Each recorded image, copied four ways from the original and four ways from its public preview.
  const expected = new Map<string, string>();
  for (const r of results) {
    const stem = path.basename(r.input.path).replace(/\.[^.]+$/, '');
    for (const [kind, file] of Object.entries(await makeCopies(r.input.path, path.join(work, 'copies'), `${stem}-orig`))) expected.set(file, `${r.assetId} ${kind}`);
    const preview = r.outputs.find((o) => o.purpose === 'preview');
    t.ok(preview, `${stem} has a public preview`);
    for (const [kind, file] of Object.entries(await makeCopies(preview!.path, path.join(work, 'copies'), `${stem}-preview`))) expected.set(file, `${r.assetId} ${kind}`);
  }
  const mirrored = path.join(work, 'copies', 'render-1-mirrored.png');
  await sharp(renders[0]!).flop().toFile(mirrored);
  expected.set(mirrored, `${results.find((r) => r.input.path === renders[0])!.assetId} mirrored`);

  // Unrelated: a fixture photo that was never recorded, and renders of other scenes.
  const unrelated = [path.join(FIXTURES, 'photos/Canon_40D.jpg')];
  for (const seed of [101, 102, 103, 104, 105, 106]) unrelated.push(await makeRender(path.join(work, 'unrelated', `other-${seed}.png`), seed));

  const index = await loadAssetIndex(env.ledger!);
  const report = await matchFiles([path.join(work, 'copies'), ...unrelated], index);
  t.same(report.errors, []);
  t.equal(report.threshold, DEFAULT_THRESHOLD);

  const found = new Map(report.matches.map((m) => [m.file, m]));
  const distances: string[] = [];
  for (const [file, want] of expected) {
    const [assetId, kind] = want.split(' ');
    const m = found.get(file);
    t.ok(m, `${path.basename(file)} (${kind}) is found`);
    if (m == null) continue;
    t.equal(m.assetId, assetId, `${path.basename(file)} matches the asset it was copied from`);
    t.ok(m.distance <= DEFAULT_THRESHOLD);
    distances.push(`${path.basename(file)}=${m.distance}${m.transform === 'same framing' ? '' : ` (${m.transform})`}`);
  }
  t.equal(found.get(mirrored)?.transform, 'mirrored', 'a mirrored copy is reported as mirrored');
  t.comment(`distances: ${distances.join(', ')}`);

  for (const u of unrelated) t.ok(report.unmatched.includes(u), `${path.basename(u)} is not flagged`);
  t.equal(report.matches.length, expected.size, 'nothing else matched');
  t.notOk(report.matches.some((m) => m.lowDetail), 'detailed images are not marked low-detail');

  // How far the unrelated images really are: the margin the default threshold leaves.
  const wide = await matchFiles(unrelated, index, 64);
  const nearest = Math.min(...wide.matches.map((m) => m.distance));
  t.ok(nearest > DEFAULT_THRESHOLD + 2, `nearest unrelated image is ${nearest} bits away (threshold ${DEFAULT_THRESHOLD})`);
  t.comment(`nearest unrelated distance: ${nearest}`);

  // The match carries the asset's evidence summary.
  const dscn = report.matches.find((m) => path.basename(m.file).startsWith('DSCN0010-orig-q60'));
  t.match(dscn?.summary, { creator: 'Jane Artist', inputName: 'DSCN0010.jpg', dataMining: 'DMI-PROHIBITED-AIMLTRAINING', noticeVersion: '1' });
  t.match(dscn?.summary.firstRecorded, /^\d{4}-\d{2}-\d{2}T/);
});

t.test('a nearly flat image is matched but marked low-detail', async (t) => {
  const env = await makeEnv(t);
  const flat = path.join(env.home, 'flat.png');
  await sharp({ create: { width: 400, height: 300, channels: 3, background: '#7d7f80' } })
    .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="#86888a"/></svg>'), left: 180, top: 135 }])
    .png()
    .toFile(flat);
  await processPaths([flat], { source: 'cli' }, env);
  // A lossless re-encode: same pixels. (A JPEG copy of so flat a picture may not match at all: its hash is
  // mostly noise, the documented limit this flag warns about.)
  const copy = path.join(env.home, 'flat-copy.png');
  await sharp(flat).png({ compressionLevel: 1 }).toFile(copy);
  const report = await matchFiles([copy], await loadAssetIndex(env.ledger!));
  t.equal(report.matches.length, 1);
  t.equal(report.matches[0]?.lowDetail, true);
});

t.test('colophon match --json: shape, licensee caution, threshold and bad input', async (t) => {
  const env = await makeEnv(t);
  const work = path.join(env.home, 'work');
  const render = await makeRender(path.join(work, 'render-7.png'), 7);
  const { results } = await processPaths([render], { source: 'cli' }, env);
  const assetId = results[0]!.assetId;
  const copies = await makeCopies(render, path.join(work, 'suspects'), 'r7');
  const other = await makeRender(path.join(work, 'suspects', 'unrelated.png'), 201);
  await fs.writeFile(path.join(work, 'suspects', 'notes.txt'), 'not an image, skipped inside folders');
  let r = await cli(env.home, ['license', assetId, '--to', 'Licensed Studio']);
  t.equal(r.code, 0, r.stderr);

  r = await cli(env.home, ['match', path.join(work, 'suspects'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.same(Object.keys(out).sort(), ['errors', 'matches', 'threshold', 'unmatched']);
  t.same(out.matches.map((m: { file: string }) => m.file).sort(), Object.values(copies).sort());
  t.same(out.unmatched, [other]);
  for (const m of out.matches) {
    t.equal(m.assetId, assetId);
    t.match(m.summary.caution, /Licensed to Licensed Studio/);
    t.same(m.summary.licences.map((l: { licensee: string }) => l.licensee), ['Licensed Studio']);
  }

  r = await cli(env.home, ['match', copies.q60!, '--threshold', '0', '--json']);
  t.equal(r.code, 0);
  t.ok(JSON.parse(r.stdout).matches.every((m: { distance: number }) => m.distance === 0), 'threshold 0 keeps only exact hash matches');

  r = await cli(env.home, ['match', path.join(work, 'suspects'), '--threshold', '99']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--threshold "99" must be a whole number from 0 to 64/);

  r = await cli(env.home, ['match', path.join(FIXTURES, 'photos/corrupted.jpg'), path.join(work, 'missing.png'), copies.half!, '--json']);
  t.equal(r.code, 1, 'bad inputs make the exit code 1');
  const mixed = JSON.parse(r.stdout);
  t.equal(mixed.matches.length, 1, 'the good file is still matched');
  t.equal(mixed.errors.length, 2);
  t.match(mixed.errors.map((e: { message: string }) => e.message).join('\n'), /could not be decoded as an image/);
});
