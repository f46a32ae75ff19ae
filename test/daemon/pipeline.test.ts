import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import yauzl from 'yauzl';
import { JobFinishedSchema, PackResultSchema } from '../../protocol/src/methods.ts';
import { AssetResultSchema } from '../../protocol/src/results.ts';
import { isTempName } from '../../server/util/atomic.ts';
import { sha256File, sha256Hex } from '../../server/util/hash.ts';
import { archiveBlend } from '../../server/archive/blend-archive.ts';
import { loadProfile } from '../../server/config.ts';
import { startDaemon } from '../../server/daemon/daemon.ts';
import { ColophonError } from '../../server/errors.ts';
import { resolvePaths } from '../../server/paths.ts';
import { RpcClient, startTestDaemon, tempHome } from './helpers.ts';
import { makeImages } from './images.ts';
import { FIXTURES } from '../helpers/pipeline-env.ts';

const home = await tempHome();
const daemon = await startTestDaemon(home);
const client = await RpcClient.forDaemon(daemon);
const work = await fs.mkdtemp(path.join(home, 'inputs-'));

/** Every entry of a zip with its bytes (yauzl, entries read one by one). */
function zipEntries(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err != null) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e2, rs) => {
          if (e2 != null) return reject(e2);
          const chunks: Buffer[] = [];
          rs.on('data', (c: Buffer) => chunks.push(c));
          rs.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

t.test('the shared fixtures go through the daemon: results, clear failures, files on disk, ledger verified', async (t) => {
  const inputs: string[] = [];
  for (const sub of ['photos', 'exr', 'blend']) {
    for (const f of (await fs.readdir(path.join(FIXTURES, sub))).sort()) inputs.push(path.join(FIXTURES, sub, f));
  }
  const r = await client.call('asset.process', { paths: inputs });
  t.equal(r.error, undefined, 'answered without a request-level error');
  const { results, errors } = r.result as { results: any[]; errors: any[] };
  t.equal(results.length + errors.length, inputs.length, 'every input is accounted for exactly once');
  const failed = new Set(errors.map((e) => path.basename(e.input)));
  for (const bad of ['damaged-1.exr', 'damaged-2.exr', 'damaged-3.exr', 'corrupt_only_magic.blend']) t.ok(failed.has(bad), `${bad} fails clearly`);
  for (const good of ['Canon_40D.jpg', 'DSCN0010.jpg', 'landscape_6.jpg', 'Carrots.exr', 'basic_file.blend', 'particle.blend']) {
    t.notOk(failed.has(good), `${good} is processed`);
  }
  for (const e of errors) {
    t.match(e.code, /^[A-Z_]+$/, `${path.basename(e.input)}: stable code ${e.code}`);
    t.ok(e.message.length > 20, `${path.basename(e.input)}: a message that explains (${e.message.slice(0, 60)}…)`);
  }
  for (const res of results) {
    t.ok(AssetResultSchema.safeParse(res).success, `${path.basename(res.input.path)}: result matches the schema`);
    t.equal(res.source, 'cli', 'no render context → source "cli"');
    t.equal(res.assetId, res.input.sha256.slice(0, 16));
    for (const o of res.outputs) {
      t.ok(o.path.startsWith(path.join(home, 'output') + path.sep), `${path.basename(o.path)} is inside the output root`);
      t.equal((await sha256File(o.path)).sha256, o.sha256, `${path.basename(o.path)}: sha256 matches the file`);
    }
  }
  const v = await client.call('ledger.verify', {});
  t.same({ ok: v.result.ok, entries: v.result.entries }, { ok: true, entries: results.length }, 'one ledger entry per processed asset, chain intact');
  const q = await client.call('ledger.query', { assetId: results[0].assetId });
  t.equal(q.result.entries.length, 1);
  t.equal(q.result.entries[0].seq, results[0].ledgerSeq);
  t.equal(q.result.entries[0].data.creator.name, 'Test Artist');
});

t.test('asset.process from a render: context makes the source f12; preview.export honours its options', async (t) => {
  const [img] = await makeImages(work, 1, 300, 'f12');
  const r = await client.call('asset.process', { paths: [img], context: { scene: 'Scene', frame: 1, engine: 'CYCLES' } });
  t.equal(r.result.results[0].source, 'f12');
  const p = await client.call('preview.export', { path: img, longEdge: 64, format: 'webp', watermark: { placement: 'none' } });
  t.equal(p.error, undefined);
  t.equal(p.result.source, 'export');
  const pv = p.result.outputs.find((o: any) => o.purpose === 'preview');
  t.ok(pv, 'a public preview was made');
  t.ok(Math.max(pv.width, pv.height) <= 64, 'long edge limited to 64');
  t.match(pv.path, /\.webp$/);
});

t.test('blend.archive: .blend, dependencies by relative path, external ones, manifest, LICENSE, sidecar', async (t) => {
  const scene = path.join(work, 'scene');
  await fs.mkdir(path.join(scene, 'textures'), { recursive: true });
  const blend = path.join(scene, 'linked_cube.blend');
  await fs.copyFile(path.join(FIXTURES, 'blend', 'linked_cube.blend'), blend);
  await fs.copyFile(path.join(FIXTURES, 'blend', 'basic_file.blend'), path.join(scene, 'basic_file.blend'));
  const [tex] = await makeImages(path.join(scene, 'textures'), 1, 64, 'wood');
  const outside = path.join(FIXTURES, 'photos', 'Canon_40D.jpg');
  const deps = ['//basic_file.blend', '//textures/wood-0.png', '//textures/missing.png', outside, path.join(work, 'gone.exr'), '//basic_file.blend'];
  const r = await client.call('blend.archive', { blend, dependencies: deps });
  t.equal(r.error, undefined, r.error?.message ?? 'archived');
  const res = r.result;
  t.same(res.missing, ['//textures/missing.png', path.join(work, 'gone.exr')], 'missing dependencies listed, not fatal');
  t.same(res.included, ['//basic_file.blend', '//textures/wood-0.png', outside], 'each readable dependency once');
  t.equal(res.assetId, (await sha256File(blend)).sha256.slice(0, 16));
  t.equal(res.archive.path, path.join(home, 'output', 'private', res.assetId, 'linked_cube.archive.zip'));
  t.equal(res.archive.visibility, 'private');
  t.equal((await sha256File(res.archive.path)).sha256, res.archive.sha256);
  const entries = await zipEntries(res.archive.path);
  t.same([...entries.keys()].sort(), [
    'LICENSE.txt', 'basic_file.blend', `external/${outside.replace(/^\//, '')}`, 'linked_cube.blend',
    'linked_cube.blend.xmp', 'manifest.json', 'textures/wood-0.png',
  ]);
  for (const name of entries.keys()) t.notOk(name.split('/').includes('..') || name.startsWith('/'), `${name} cannot escape`);
  t.equal(sha256Hex(entries.get('linked_cube.blend')!), (await sha256File(blend)).sha256, 'the .blend is byte-identical');
  t.equal(sha256Hex(entries.get('textures/wood-0.png')!), (await sha256File(tex!)).sha256);
  const manifest = JSON.parse(entries.get('manifest.json')!.toString());
  for (const f of manifest.files) t.equal(sha256Hex(entries.get(f.entry)!), f.sha256, `manifest hash of ${f.entry} is right`);
  t.equal(manifest.missing.length, res.missing.length);
  t.ok([...manifest.missing, ...manifest.files.map((f: { source: string }) => f.source)].every((m: string) => !path.isAbsolute(m)), 'the manifest names no absolute path');
  const licence = entries.get('LICENSE.txt')!.toString();
  for (const phrase of [/Test Artist/, /AI or machine-learning/, /text and data mining/i, /dataset/, /fine-tune/, /embeddings/, /synthetic/, /Article 4\(3\)/, /2019\/790/]) {
    t.match(licence, phrase, `LICENSE names ${phrase}`);
  }
  const xmpFile = path.join(work, 'check.xmp');
  await fs.writeFile(xmpFile, entries.get('linked_cube.blend.xmp')!);
  const exiv = spawnSync('exiv2', ['-PXkv', xmpFile], { encoding: 'utf8' });
  t.match(exiv.stdout, /Xmp\.dc\.creator\s+.*Test Artist/, 'exiv2 reads the creator from the sidecar');
  t.match(exiv.stdout, /Xmp\.plus\.DataMining\s+.*DMI-PROHIBITED-AIMLTRAINING/, 'and the PLUS data-mining code');
  const q = await client.call('ledger.query', { assetId: res.assetId });
  const rec = q.result.entries.at(-1);
  t.equal(rec.data.source, 'archive', 'recorded in the ledger with source "archive"');
  t.equal(rec.data.outputs[0].sha256, res.archive.sha256);
});

t.test('blend.archive: a temporary copy is stored under the name the artist knows', async (t) => {
  const scene = path.join(work, 'named');
  await fs.mkdir(scene, { recursive: true });
  const copy = path.join(scene, 'hero.colophon.blend');
  await fs.copyFile(path.join(FIXTURES, 'blend', 'basic_file.blend'), copy);
  const r = await client.call('blend.archive', { blend: copy, dependencies: [], name: 'hero.blend' });
  t.equal(r.error, undefined, r.error?.message ?? 'archived');
  t.match(r.result.archive.path, /hero\.archive\.zip$/);
  const names = [...(await zipEntries(r.result.archive.path)).keys()].sort();
  t.same(names, ['LICENSE.txt', 'hero.blend', 'hero.blend.xmp', 'manifest.json']);
  const bad = await client.call('blend.archive', { blend: copy, dependencies: [], name: 'sub/hero.blend' });
  t.equal(bad.error?.code, -32602, 'a name with a folder in it is refused');
  t.equal(bad.error?.data?.path, 'params.name');
});

t.test('blend.archive refuses what is not a .blend, clearly', async (t) => {
  const [img] = await makeImages(work, 1, 64, 'notblend');
  const r = await client.call('blend.archive', { blend: img, dependencies: [] });
  t.equal(r.error?.data?.key, 'UNSUPPORTED_FORMAT');
  t.match(r.error?.message, /not a \.blend/);
  const broken = await client.call('blend.archive', { blend: path.join(FIXTURES, 'blend', 'corrupt_only_magic.blend'), dependencies: [] });
  t.ok(broken.error, 'a header-only .blend is refused');
  t.not(broken.error?.data?.key, 'INTERNAL', `with a specific key (${broken.error?.data?.key})`);
});

t.test('a cancelled archive leaves nothing behind', async (t) => {
  const { profile } = await loadProfile(resolvePaths({ COLOPHON_HOME: home }));
  const blend = path.join(FIXTURES, 'blend', 'particle.blend');
  const assetId = (await sha256File(blend)).sha256.slice(0, 16);
  const controller = new AbortController();
  controller.abort(new ColophonError('CANCELLED', 'cancelled by the test'));
  const err = await archiveBlend({ blend, dependencies: [], signal: controller.signal }, { profile, outRoot: path.join(home, 'output'), ledger: null })
    .then(() => null, (e: unknown) => e as ColophonError);
  t.equal(err?.key, 'CANCELLED');
  const left = await fs.readdir(path.join(home, 'output', 'private', assetId));
  t.same(left.filter((f) => f.endsWith('.zip') || isTempName(f)), [], `no zip and no temp file (${left.join(', ')})`);
});

t.test('a daemon with an invalid config.json does not start, and names the bad field', async (t) => {
  const bad = await tempHome();
  await fs.writeFile(path.join(bad, 'config.json'), JSON.stringify({ dataMining: 'NO-AI-PLEASE' }));
  const err = await startDaemon({ env: { COLOPHON_HOME: bad }, port: 0, logger: false }).then(() => null, (e: unknown) => e as ColophonError);
  t.equal(err?.key, 'CONFIG_INVALID');
  t.match(err?.message, /dataMining/);
  await t.rejects(fs.stat(path.join(bad, 'daemon.json')), 'no daemon.json was written');
});

t.test('pack.process answers { jobId } at once, then progress and one job.finished to this connection only', async (t) => {
  const pack = path.join(work, 'WoodPack');
  await fs.mkdir(pack);
  await makeImages(pack, 3, 128, 'wood_albedo');
  const other = await RpcClient.forDaemon(daemon);
  t.teardown(() => other.close());
  const r = await client.call('pack.process', { path: pack });
  t.equal(r.error, undefined, r.error?.message ?? 'started');
  const { jobId } = r.result;
  t.match(jobId, /^[0-9a-f-]{36}$/);
  await client.until(() => client.notes.some((n) => n.method === 'job.finished' && n.params.jobId === jobId), 120_000);
  const mine = client.notes.filter((n) => n.params.jobId === jobId);
  const finished = mine.filter((n) => n.method === 'job.finished');
  t.equal(finished.length, 1, 'exactly one job.finished');
  t.ok(JobFinishedSchema.safeParse(finished[0]!.params).success, 'job.finished matches the schema');
  t.equal(finished[0]!.params.error, undefined, finished[0]!.params.error?.message ?? 'no error');
  t.ok(PackResultSchema.safeParse(finished[0]!.params.result).success, 'the result is a PackResult');
  const progress = mine.filter((n) => n.method === 'job.progress');
  t.ok(progress.length >= 1, 'progress was reported');
  t.ok(progress.every((n) => n.params.done <= n.params.total), 'done never exceeds total');
  t.equal(mine.at(-1)!.method, 'job.finished', 'finished comes last');
  t.equal(other.notes.length, 0, 'another connection hears nothing');
});

t.test('job.cancel stops a pack mid-job', async (t) => {
  const pack = path.join(work, 'BigPack');
  await fs.mkdir(pack);
  await makeImages(pack, 12, 512, 'stone_albedo');
  const r = await client.call('pack.process', { path: pack });
  const { jobId } = r.result;
  await client.until(() => client.notes.some((n) => n.params.jobId === jobId), 120_000);
  const c = await client.call('job.cancel', { jobId });
  t.equal(c.error, undefined);
  await client.until(() => client.notes.some((n) => n.method === 'job.finished' && n.params.jobId === jobId), 120_000);
  const fin = client.notes.find((n) => n.method === 'job.finished' && n.params.jobId === jobId)!;
  if (c.result.cancelled) t.equal(fin.params.error?.data?.key, 'CANCELLED', 'finished as CANCELLED');
  else t.ok(fin.params.result, 'it had already finished when the cancel arrived');
  const again = await client.call('job.cancel', { jobId });
  t.same(again.result, { cancelled: false }, 'cancelling a finished job says so');
});

t.test('close', async (t) => {
  await client.close();
  await daemon.close();
  t.pass('closed');
});
