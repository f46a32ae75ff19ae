// Issue 12 item 7: a symlink one level down (private/<assetId>, public/<assetId>, packs/<name>) never takes writes outside the root.
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { listFiles, RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { makeImages } from '../daemon/images.ts';
import { sha256File } from '../../server/util/hash.ts';

const home = await tempHome('colophon-confine-');
const out = path.join(home, 'output');
const elsewhere = path.join(home, 'elsewhere');
await fs.mkdir(elsewhere);
const d = await startTestDaemon(home);
await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' }, output: { root: out } }));
const client = await RpcClient.forDaemon(d);
const work = await fs.mkdtemp(path.join(home, 'in-'));
const images = await makeImages(work, 3);
t.teardown(async () => {
  await client.close();
  await d.close();
});

const assetIdOf = async (f: string) => (await sha256File(f)).sha256.slice(0, 16);

for (const [i, sub] of [[0, 'private'], [1, 'public']] as const) {
  t.test(`a symlink at ${sub}/<assetId> is refused with PATH_NOT_ALLOWED and nothing lands outside`, async (t) => {
    const id = await assetIdOf(images[i]!);
    await fs.mkdir(path.join(out, sub), { recursive: true });
    await fs.symlink(elsewhere, path.join(out, sub, id));
    const r = await client.call('asset.process', { paths: [images[i]!], source: 'f12' });
    t.equal(r.result?.errors?.[0]?.code, 'PATH_NOT_ALLOWED', JSON.stringify(r));
    t.match(r.result?.errors?.[0]?.message, /outside the output root/);
    t.same(await listFiles(elsewhere), [], 'nothing was written through the link');
  });
}

t.test('a symlink at packs/<name> is refused and nothing lands outside', async (t) => {
  const pack = path.join(home, 'MyPack');
  await fs.mkdir(pack);
  await fs.copyFile(images[2]!, path.join(pack, 'beauty.png'));
  await fs.mkdir(path.join(out, 'packs'), { recursive: true });
  await fs.symlink(elsewhere, path.join(out, 'packs', 'MyPack'));
  const r = await client.call('pack.process', { path: pack });
  await client.until(() => client.notes.some((n) => n.method === 'job.finished' && n.params.jobId === r.result.jobId));
  const fin = client.notes.find((n) => n.method === 'job.finished' && n.params.jobId === r.result.jobId)!;
  t.equal(fin.params.error?.data?.key, 'PATH_NOT_ALLOWED', JSON.stringify(fin.params.error));
  t.same(await listFiles(elsewhere), [], 'nothing was written through the link');
});
