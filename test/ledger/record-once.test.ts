// Issue 12 items 15 and 5 (process side): two `colophon process` runs on one home at once record each asset once,
// a re-run records nothing new, and an input named manifest.json is never overwritten by Colophon's record.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';
import { makeImage } from '../helpers/pipeline-env.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');

async function processRun(home: string, args: string[]): Promise<{ code: number | null; json: any }> {
  const child = spawn(process.execPath, [bin, 'process', ...args, '--json'], { env: { ...process.env, COLOPHON_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, json: JSON.parse(out) };
}

t.test('two process runs at once, then a re-run: every asset recorded exactly once', async (t) => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-once-'));
  t.teardown(() => fs.rm(home, { recursive: true, force: true }));
  const inDir = path.join(home, 'in');
  for (let i = 0; i < 5; i++) await makeImage(path.join(inDir, `render_${i}.png`), 200, 120, { seed: i + 1 });
  const sellers = '{"mine": true}\n';
  await fs.writeFile(path.join(inDir, 'manifest.json'), sellers);
  const out = path.join(home, 'out');

  const [a, b] = await Promise.all([processRun(home, [inDir, '--out', out]), processRun(home, [inDir, '--out', out])]);
  t.equal(a.code, 0);
  t.equal(b.code, 0);
  const recorded = (await new Ledger(path.join(home, 'ledger.jsonl')).readAll()).filter((e) => e.type === 'asset.recorded');
  t.equal(recorded.length, 6, 'six inputs, six asset.recorded entries (not twelve)');
  const seqOf = (r: any) => Object.fromEntries(r.json.results.map((x: any) => [x.assetId, x.ledgerSeq]));
  t.same(seqOf(a), seqOf(b), 'both runs report the same entry for each asset');
  t.same(new Set(Object.values(seqOf(a))), new Set(recorded.map((e) => e.seq)), 'and every ledgerSeq exists');

  const c = await processRun(home, [inDir, '--out', out]);
  t.same(seqOf(c), seqOf(a));
  t.equal((await new Ledger(path.join(home, 'ledger.jsonl')).readAll()).length, 6, 'a re-run adds nothing');
  t.match(await new Ledger(path.join(home, 'ledger.jsonl')).verify(), { ok: true, entries: 6 });

  const m = c.json.results.find((r: any) => r.input.path.endsWith('manifest.json'));
  const master = m.outputs.find((o: any) => o.purpose === 'master');
  t.equal(await fs.readFile(master.path, 'utf8'), sellers, 'the input named manifest.json is intact in private/<assetId>/');
  const record = m.outputs.find((o: any) => o.purpose === 'manifest');
  t.equal(path.basename(record.path), 'manifest.colophon.json');
  t.equal(JSON.parse(await fs.readFile(record.path, 'utf8')).result.assetId, m.assetId);
});

t.test('an asset recorded many times over: a repeat of any earlier record is found, also by a Ledger that starts from the file', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-many-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'ledger.jsonl');
  const hex = (i: number, salt: string) => (salt + String(i)).padStart(64, '0').replace(/[^0-9a-f]/g, 'a');
  const record = (i: number, assetId = 'a1b2c3d4e5f60718') => ({
    assetId, creator: { name: 'Jane Artist' }, licence: { name: 'All rights reserved' }, dataMining: 'DMI-PROHIBITED-AIMLTRAINING',
    // Each run wrote new outputs: a new folder, new signed bytes. Padding makes the entries span several read batches.
    outputs: [{ path: `/renders/run-${i}/scene.png`, sha256: hex(i, 'b'), note: 'x'.repeat(4000) }, { path: `/renders/run-${i}/scene.preview.jpg`, sha256: hex(i, 'c') }],
  });
  const writer = new Ledger(file);
  const seqs: number[] = [];
  for (let i = 0; i < 600; i++) {
    await writer.append('asset.recorded', record(i, '0f1e2d3c4b5a6978')); // another asset's records in between
    seqs.push((await writer.append('asset.recorded', record(i))).seq);
  }
  t.ok((await fs.stat(file)).size > 2 << 20, 'the ledger is larger than two read batches');
  const fresh = new Ledger(file);
  for (const i of [0, 299, 599]) t.equal((await fresh.append('asset.recorded', record(i))).seq, seqs[i], `record ${i} is found again, not appended`);
  const changed = { ...record(299), outputs: [record(299).outputs[0]!, { path: '/renders/run-299/scene.preview.jpg', sha256: hex(9999, 'c') }] };
  t.equal((await fresh.append('asset.recorded', changed)).seq, 1200, 'a record that differs in one output hash is appended');
  t.equal((await new Ledger(file).readAll()).length, 1201, 'nothing else was written');
});
