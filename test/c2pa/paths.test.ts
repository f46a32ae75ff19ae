// Every way in carries a credential: F12 (asset.process), preview.export, blend.archive and credentials.verify through a
// real daemon, and a pack through runPack.
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import yauzl from 'yauzl';
import { Reader } from '@contentauth/c2pa-node';
import { CredentialsVerifyResultSchema } from '../../protocol/src/credentials.ts';
import { verifyCredential } from '../../server/c2pa/verify.ts';
import { runPack } from '../../server/pack/run.ts';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { FIXTURES, makeEnv, makeImage } from '../helpers/pipeline-env.ts';

const home = await tempHome('colophon-c2pa-');
const daemon = await startTestDaemon(home);
const client = await RpcClient.forDaemon(daemon);
t.teardown(async () => {
  client.ws.close();
  await daemon.close();
});

function unzip(file: string, dest: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err != null) return reject(err);
      const names: string[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.openReadStream(e, async (err2, rs) => {
          if (err2 != null) return reject(err2);
          const chunks: Buffer[] = [];
          for await (const c of rs) chunks.push(c as Buffer);
          const out = path.join(dest, e.fileName);
          await fs.mkdir(path.dirname(out), { recursive: true });
          await fs.writeFile(out, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
      zip.readEntry();
    });
  });
}

t.test('F12 (asset.process) and preview.export: every output verifies; credentials.verify answers over RPC', async (t) => {
  const img = await makeImage(path.join(home, 'in', 'render.png'), 500, 300);
  const r = await client.call('asset.process', { paths: [img], context: { scene: 'Scene', frame: 1, engine: 'CYCLES' } });
  t.equal(r.error, undefined, r.error?.message ?? 'no error');
  const res = r.result.results[0];
  t.equal(res.source, 'f12');
  const signedOutputs = res.outputs.filter((o: { purpose: string }) => o.purpose === 'master' || o.purpose === 'preview');
  t.equal(signedOutputs.length, 2);
  t.same(signedOutputs.map((o: { credential?: string }) => o.credential), ['embedded', 'embedded'], 'the results say where each credential is');
  for (const o of signedOutputs) {
    const v = await client.call('credentials.verify', { path: o.path });
    t.equal(v.error, undefined, v.error?.message ?? 'no error');
    t.ok(CredentialsVerifyResultSchema.safeParse(v.result).success, 'result matches the protocol');
    t.equal(v.result.valid, true, `${path.basename(o.path)}: valid`);
    t.equal(v.result.changed, false);
    t.equal(v.result.ledger.known, true, 'the daemon\'s ledger knows it');
    t.equal(v.result.signer.name, 'Test Artist', 'signed with the identity made in the daemon\'s config dir on first use');
  }
  await t.resolves(fs.stat(path.join(home, 'credentials', 'identity.json')), 'the identity lives in COLOPHON_HOME');

  const p = await client.call('preview.export', { path: img, longEdge: 64, format: 'webp' });
  const pv = p.result.outputs.find((o: { purpose: string }) => o.purpose === 'preview');
  t.match(pv.path, /\.webp$/);
  t.equal((await verifyCredential(pv.path, null)).valid, true, 'a WebP preview embeds its credential');

  const rel = await client.call('credentials.verify', { path: 'relative.jpg' });
  t.equal(rel.error?.data?.key, 'PATH_NOT_ALLOWED', 'a relative path is refused');
  const missing = await client.call('credentials.verify', { path: path.join(home, 'nope.jpg') });
  t.equal(missing.error?.data?.key, 'FILE_NOT_FOUND');
});

t.test('blend.archive: the zip gets a .c2pa sidecar bound to its bytes', async (t) => {
  const blend = path.join(home, 'scene', 'basic_file.blend');
  await fs.mkdir(path.dirname(blend), { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'blend', 'basic_file.blend'), blend);
  const r = await client.call('blend.archive', { blend, dependencies: [] });
  t.equal(r.error, undefined, r.error?.message ?? 'no error');
  const zip = r.result.archive.path as string;
  await t.resolves(fs.stat(`${zip}.c2pa`), 'sidecar beside the zip');
  const v = await verifyCredential(zip, null);
  t.equal(v.credential, 'sidecar');
  t.equal(v.valid, true);
  t.equal(v.trainingMining?.['cawg.ai_training']?.use, 'notAllowed');
});

t.test('pack: each zip member carries its own credential and the delivery manifest lists them', async (t) => {
  const env = await makeEnv(t);
  const pack = path.join(env.home, 'MyPack');
  await makeImage(path.join(pack, 'renders', 'hero.png'), 400, 300);
  await makeImage(path.join(pack, 'textures', 'wood_albedo.png'), 128, 128, { seed: 3 });
  await fs.copyFile(path.join(FIXTURES, 'exr', 'Carrots.exr'), path.join(pack, 'textures', 'wood_height.exr'));
  const r = await runPack(pack, { outDir: path.join(env.home, 'packs'), market: 'generic', env, blender: null, concurrency: 1 });
  t.same(r.errors, []);
  const zip = r.archive.path;
  t.equal((await verifyCredential(zip, null)).valid, true, 'the delivery zip has a valid .c2pa beside it');
  const dest = path.join(env.home, 'unzipped');
  const names = await unzip(zip, dest);
  t.ok(names.includes('textures/wood_height.exr.c2pa'), 'the EXR member ships with its .c2pa');
  const manifest = JSON.parse(await fs.readFile(path.join(dest, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; credential?: unknown }> };
  const byPath = new Map(manifest.files.map((f) => [f.path, f.credential]));
  t.same(byPath.get('textures/wood_height.exr'), { sidecar: 'textures/wood_height.exr.c2pa' }, 'manifest.json names the sidecar');
  t.equal(byPath.get('renders/hero.png'), 'embedded', 'and says where it is embedded');
  for (const member of ['renders/hero.png', 'textures/wood_albedo.png', 'textures/wood_height.exr']) {
    const v = await verifyCredential(path.join(dest, member), null);
    t.equal(v.valid, true, `${member}: its credential verifies after unzipping`);
  }
  for (const o of r.public ?? []) {
    const reader = await Reader.fromAsset({ path: o.path });
    t.ok(reader, `${path.basename(o.path)} (public ${o.purpose}) carries a credential`);
  }
});
