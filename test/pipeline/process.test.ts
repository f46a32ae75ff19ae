import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { AssetResultSchema } from '../../protocol/src/results.ts';
import { processFile, processPaths } from '../../server/pipeline/process.ts';
import { FIXTURES, makeEnv, makeImage } from '../helpers/pipeline-env.ts';

const sha = async (f: string) => createHash('sha256').update(await fs.readFile(f)).digest('hex');

async function hashTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath, e.name);
      out.set(p, await sha(p));
    }
  }
  return out;
}

t.test('every fixture is processed or reported, and the originals are untouched', async (t) => {
  const env = await makeEnv(t);
  const before = await hashTree(FIXTURES);
  const report = await processPaths([FIXTURES], { source: 'cli' }, env);
  const after = await hashTree(FIXTURES);
  t.same([...after], [...before], 'SHA-256 of every fixture unchanged');
  const seen = [...report.results.map((r) => r.input.path), ...report.errors.map((e) => e.input)].sort();
  t.same(seen, [...before.keys()].sort(), 'each fixture appears exactly once, as a result or an error');
  const failed = Object.fromEntries(report.errors.map((e) => [path.basename(e.input), e.code]));
  t.same(failed, {
    'corrupt_only_magic.blend': 'CORRUPT_FILE', 'damaged-1.exr': 'CORRUPT_FILE', 'damaged-2.exr': 'CORRUPT_FILE',
    'damaged-3.exr': 'CORRUPT_FILE', 'corrupted.jpg': 'CORRUPT_FILE',
  });
  for (const e of report.errors) t.match(e.message, /damaged|truncated|no scene data|not a readable/i, `${path.basename(e.input)}: says what is wrong`);
  for (const r of report.results) t.ok(AssetResultSchema.safeParse(r).success, `${path.basename(r.input.path)}: result matches the protocol schema`);
  const odd = report.results.find((r) => r.input.path.endsWith('image00971.jpg'));
  t.ok(odd?.outputs.some((o) => o.purpose === 'preview'), 'odd-but-harmless EXIF is processed normally');
});

t.test('hashes, asset id, layout and manifest', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(t.testdir(), 'scene.png'), 320, 240);
  const r = await processFile(src, { source: 'cli' }, env);
  t.equal(r.input.sha256, await sha(src));
  t.equal(r.input.bytes, (await fs.stat(src)).size);
  t.equal(r.assetId, r.input.sha256.slice(0, 16));
  for (const o of r.outputs) t.equal(o.sha256, await sha(o.path), `${o.purpose}: recorded hash matches the file`);
  const byPurpose = Object.fromEntries(r.outputs.map((o) => [o.purpose, o]));
  t.equal(byPurpose.preview!.path, path.join(env.outRoot, 'public', r.assetId, 'scene.preview.jpg'));
  t.equal(byPurpose.preview!.visibility, 'public');
  t.equal(byPurpose.master!.path, path.join(env.outRoot, 'private', r.assetId, 'scene.png'));
  t.equal(byPurpose.manifest!.path, path.join(env.outRoot, 'private', r.assetId, 'manifest.json'));
  const manifest = JSON.parse(await fs.readFile(byPurpose.manifest!.path, 'utf8'));
  t.equal(manifest.result.input.sha256, r.input.sha256);
  t.equal(manifest.result.ledgerSeq, r.ledgerSeq);
  const left = (await fs.readdir(path.join(env.outRoot, 'private', r.assetId))).filter((n) => n.includes('.tmp'));
  t.same(left, [], 'no temp files left behind');
});

t.test('ledger records each asset with the profile terms', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(t.testdir(), 'shot.jpg'), 100, 80, { format: 'jpeg' });
  const context = { blendFile: '/p/scene.blend', scene: 'Scene', frame: 12, engine: 'CYCLES', samples: 64, resolution: [1920, 1080] as [number, number] };
  const r = await processFile(src, { source: 'f12', context }, env);
  const [entry] = await env.ledger!.query({ assetId: r.assetId });
  t.equal(entry?.seq, r.ledgerSeq);
  t.match(entry?.data, {
    assetId: r.assetId, source: 'f12', input: { sha256: r.input.sha256 }, creator: { name: 'Jane Artist' },
    licence: { name: 'All rights reserved' }, dataMining: 'DMI-PROHIBITED-AIMLTRAINING', noticeVersion: '1', termsVersion: '1', context,
  });
  t.same((await env.ledger!.verify()).ok, true);
});

t.test('processing the same content again is idempotent and cheap', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(t.testdir(), 'again.png'), 640, 480);
  const first = await processFile(src, { source: 'cli' }, env);
  const mtimes = await Promise.all(first.outputs.map(async (o) => (await fs.stat(o.path)).mtimeMs));
  const second = await processFile(src, { source: 'cli' }, env);
  t.same(second.outputs.map((o) => [o.path, o.sha256]), first.outputs.map((o) => [o.path, o.sha256]));
  t.same(await Promise.all(second.outputs.map(async (o) => (await fs.stat(o.path)).mtimeMs)), mtimes, 'nothing rewritten');
  t.equal(second.ledgerSeq, first.ledgerSeq, 'recorded once');
  t.equal((await env.ledger!.readAll()).length, 1);
  // A removed output means the asset is rebuilt, not reported from a stale manifest.
  await fs.rm(first.outputs.find((o) => o.purpose === 'preview')!.path);
  const third = await processFile(src, { source: 'cli' }, env);
  t.ok(await fs.stat(third.outputs.find((o) => o.purpose === 'preview')!.path));
  // A changed profile restamps.
  const renamed = { ...env, profile: { ...env.profile, creator: { name: 'Jane A. Artist' } } };
  const fourth = await processFile(src, { source: 'cli' }, renamed);
  t.not(fourth.outputs.find((o) => o.purpose === 'master')!.sha256, first.outputs.find((o) => o.purpose === 'master')!.sha256);
});

t.test('non-ASCII paths are processed normally', async (t) => {
  const env = await makeEnv(t);
  const dir = path.join(t.testdir(), 'Projekte – 渲染');
  await fs.mkdir(dir);
  const src = path.join(dir, 'Ünïcødé façade 渲染.jpg');
  await fs.copyFile(path.join(FIXTURES, 'photos/DSCN0010.jpg'), src);
  const r = await processFile(src, { source: 'cli' }, env);
  t.equal(path.basename(r.outputs.find((o) => o.purpose === 'master')!.path), 'Ünïcødé façade 渲染.jpg');
  t.equal(path.basename(r.outputs.find((o) => o.purpose === 'preview')!.path), 'Ünïcødé façade 渲染.preview.jpg');
});

t.test('a folder is walked file by file, skipping hidden files and the output root', async (t) => {
  const dir = t.testdir({ 'a.png': '', '.hidden.png': 'x', sub: { 'b.txt': 'notes' } });
  const env = await makeEnv(t);
  await makeImage(path.join(dir, 'a.png'), 50, 50);
  const outInside = { ...env, outRoot: path.join(dir, 'out') };
  await fs.mkdir(path.join(dir, 'out', 'private'), { recursive: true });
  await fs.writeFile(path.join(dir, 'out', 'private', 'old.png'), 'x');
  const r = await processPaths([dir], { source: 'cli' }, outInside);
  t.same(r.results.map((x) => path.basename(x.input.path)).sort(), ['a.png', 'b.txt']);
  t.same(r.errors, []);
});
