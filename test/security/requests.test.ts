// Issue 12 item 15 (this helper's part): preview.export needs a picture; blend.archive names stay visible and
// re-archiving never overwrites a zip that older ledger entries point at.
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { FIXTURES } from '../helpers/fixtures.ts';
import { listFiles, RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { sha256File } from '../../server/util/hash.ts';

const home = await tempHome('colophon-req-');
const out = path.join(home, 'output');
const d = await startTestDaemon(home);
await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' }, output: { root: out } }));
const client = await RpcClient.forDaemon(d);
t.teardown(async () => {
  await client.close();
  await d.close();
});
const work = await fs.mkdtemp(path.join(home, 'in-'));

t.test('preview.export on a non-image fails with NO_PREVIEW and writes nothing', async (t) => {
  const blend = path.join(work, 'scene.blend');
  await fs.copyFile(path.join(FIXTURES, 'blend/basic_file.blend'), blend);
  const notes = path.join(work, 'notes.txt');
  await fs.writeFile(notes, 'just text\n');
  for (const f of [blend, notes]) {
    const r = await client.call('preview.export', { path: f });
    t.equal(r.error?.data?.key, 'NO_PREVIEW', JSON.stringify(r));
    t.equal(r.error?.code, -32020);
    t.match(r.error?.message, /no public preview can be made/);
  }
  t.same(await listFiles(out), [], 'nothing half-made');
  t.equal((await client.call('ledger.verify', {})).result.entries, 0, 'nothing recorded');
});

t.test('blend.archive refuses a name that would make a hidden zip', async (t) => {
  const blend = path.join(work, 'scene.blend');
  for (const name of ['..blend', '.hidden.blend']) {
    const r = await client.call('blend.archive', { blend, dependencies: [], name });
    t.ok(r.error != null, `${name} refused`);
    t.equal(r.error?.code, -32602);
  }
  t.notOk((await listFiles(out)).some((f) => path.basename(f).startsWith('.')), 'no hidden file was written');
});

t.test('re-archiving keeps the zip older ledger entries reference', async (t) => {
  const blend = path.join(work, 'scene.blend');
  const tex = path.join(work, 'tex.png');
  await fs.writeFile(tex, 'not really a png, but a dependency');
  const first = await client.call('blend.archive', { blend, dependencies: [] });
  const second = await client.call('blend.archive', { blend, dependencies: [tex] });
  t.equal(first.error, undefined);
  t.equal(second.error, undefined);
  const a = first.result.archive;
  const b = second.result.archive;
  t.not(a.path, b.path, 'the second zip has its own name');
  t.match(path.basename(b.path), /^scene\.archive\.[0-9a-f]{12}\.zip$/, 'named by its content');
  t.equal((await sha256File(a.path)).sha256, a.sha256, 'the first zip is still there, unchanged');
  t.equal((await sha256File(b.path)).sha256, b.sha256);
  const entries = (await client.call('ledger.query', { assetId: first.result.assetId })).result.entries;
  for (const e of entries) {
    for (const o of e.data.outputs) t.equal((await sha256File(o.path)).sha256, o.sha256, `ledger entry ${e.seq} still matches its zip`);
  }
  t.notOk((await listFiles(out)).some((f) => /\.tmp/.test(f)), 'no temp file left');
});
