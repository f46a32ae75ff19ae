// An append catches up on what other writers added by scanning the lines for asset ids, and parses only the entries
// it chains onto or compares with. These checks hold it to what a full parse of every line gave: a record already in
// the file (written by another process, or edited by hand) is found and not written again, a damaged line in the
// middle is passed over, and a file rewritten under a writer sends it back to the start.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { Ledger } from '../../server/ledger/ledger.ts';

async function ledgerFile(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-catchup-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'ledger.jsonl');
}

const record = (assetId: string, sha: string) => ({
  assetId,
  creator: { name: 'Ana Artist' },
  outputs: [{ path: `/out/public/${assetId}/a.preview.jpg`, sha256: sha.repeat(64) }],
});

const lines = async (file: string) => (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');

t.test('a record another writer already appended is returned, not written again; a changed one is written', async (t) => {
  const file = await ledgerFile(t);
  const first = new Ledger(file);
  const a = await first.append('asset.recorded', record('00000000000000a1', 'a'));
  await first.append('notice.changed', { note: 'between' });
  const b = await first.append('asset.recorded', record('00000000000000b2', 'b'));

  // A second process: a new Ledger on the same file knows nothing until it catches up.
  const second = new Ledger(file);
  const again = await second.append('asset.recorded', record('00000000000000a1', 'a'));
  t.same(again, a, 'the existing entry is handed back');
  t.equal((await lines(file)).length, 3, 'and nothing was appended');
  const changed = await second.append('asset.recorded', record('00000000000000a1', 'c'));
  t.equal(changed.seq, 3, 'the same asset with another output hash is a new record');
  t.equal(changed.prev, b.hash, 'chained onto the last entry');

  // The first writer catches up on the second's append before its own.
  const bAgain = await first.append('asset.recorded', record('00000000000000b2', 'b'));
  t.same(bAgain, b);
  const cAgain = await first.append('asset.recorded', record('00000000000000a1', 'c'));
  t.same(cAgain, changed, 'a record the other writer made is found too');
  t.equal((await new Ledger(file).verify()).ok, true, 'the chain is whole');
});

t.test('a record edited by hand (keys out of order) still counts; a damaged line in the middle is passed over', async (t) => {
  const file = await ledgerFile(t);
  const writer = new Ledger(file);
  await writer.append('notice.changed', { note: 'first' });
  const rec = await writer.append('asset.recorded', record('00000000000000d4', 'd'));
  const last = await writer.append('notice.changed', { note: 'last' });
  const ls = await lines(file);
  // The record's line rewritten with its keys in another order: the same entry, no longer in canonical form.
  const e = JSON.parse(ls[1]!) as LedgerEntry;
  ls[1] = JSON.stringify({ type: e.type, seq: e.seq, ts: e.ts, prev: e.prev, hash: e.hash, data: { outputs: e.data.outputs, creator: e.data.creator, assetId: e.data.assetId } });
  ls[0] = '{"data":{"note":"fir'; // damaged
  await fs.writeFile(file, ls.join('\n') + '\n');

  const reader = new Ledger(file);
  const again = await reader.append('asset.recorded', record('00000000000000d4', 'd'));
  t.equal(again.seq, rec.seq, 'the hand-edited record is found');
  t.equal(again.hash, rec.hash);
  const next = await reader.append('notice.changed', { note: 'after' });
  t.equal(next.seq, last.seq + 1, 'appends chain onto the last entry');
  t.equal(next.prev, last.hash);
  t.equal((await lines(file)).length, 4);
});

t.test('a damaged last line with nothing after it stops the append; a file rewritten under a writer is read again', async (t) => {
  const file = await ledgerFile(t);
  const writer = new Ledger(file);
  await writer.append('notice.changed', { note: 'one' });
  await writer.append('notice.changed', { note: 'two' });

  // Another program replaces the content in place (same inode) with a different, longer chain.
  const other = await ledgerFile(t);
  const elsewhere = new Ledger(other);
  for (const note of ['x', 'y', 'z']) await elsewhere.append('notice.changed', { note });
  const replacement = await fs.readFile(other);
  const fh = await fs.open(file, 'r+');
  await fh.write(replacement, 0, replacement.length, 0);
  await fh.close();
  const next = await writer.append('notice.changed', { note: 'four' });
  const z = JSON.parse((await lines(file))[2]!) as LedgerEntry;
  t.equal(next.seq, 3, 'the writer started over and chained onto the new last entry');
  t.equal(next.prev, z.hash);
  t.equal((await new Ledger(file).verify()).ok, true);

  const broken = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
  broken[broken.length - 1] = broken.at(-1)!.slice(0, 30) + 'garbage}';
  await fs.writeFile(file, broken.join('\n') + '\n');
  await t.rejects(new Ledger(file).append('notice.changed', { note: 'five' }), { code: undefined, message: /not a valid entry/ }, 'nothing is chained onto a line that does not parse');
  t.equal((await lines(file)).length, 4, 'and nothing was written');
});
