// An append catches up on what other writers added by scanning the lines for asset ids, and parses only the entries
// it chains onto or compares with. These checks hold it to what a full parse of every line gave: a record already in
// the file (written by another process, or edited by hand) is found and not written again, a damaged line in the
// middle is passed over, and a file rewritten under a writer sends it back to the start.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { canonical, Ledger } from '../../server/ledger/ledger.ts';

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

/** A chain of entries written straight to the file (as another process would have), each with its offset. */
async function writeChain(file: string, entries: Array<{ type: string; data: Record<string, unknown> }>): Promise<Array<LedgerEntry & { offset: number; bytes: number }>> {
  let prev = '0'.repeat(64);
  let offset = 0;
  const out: Array<LedgerEntry & { offset: number; bytes: number }> = [];
  const lines: string[] = [];
  for (const [seq, { type, data }] of entries.entries()) {
    const base = { seq, ts: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(), type, data, prev };
    // SPEC: an entry's hash is the SHA-256 of the canonical JSON of every field but the hash itself.
    const hash = createHash('sha256').update(canonical(base)).digest('hex');
    const line = canonical({ ...base, hash }) + '\n';
    lines.push(line);
    out.push({ ...(base as LedgerEntry), hash, offset, bytes: Buffer.byteLength(line) });
    offset += Buffer.byteLength(line);
    prev = hash;
  }
  await fs.writeFile(file, lines.join(''));
  return out;
}

t.test('a ledger larger than one read: a record whose line crosses a read\'s edge is still found; the append chains on', async (t) => {
  const file = await ledgerFile(t);
  const padded = (i: number) => ({ ...record(`${i.toString(16).padStart(16, '0')}`, (i % 10).toString()), note: 'n'.repeat(900 + (i % 97)) });
  const chain = await writeChain(file, Array.from({ length: 7000 }, (_, i) => (i % 7 === 3 ? { type: 'notice.changed', data: { note: `n${i}` } } : { type: 'asset.recorded', data: padded(i) })));
  const size = (await fs.stat(file)).size;
  t.ok(size > 2 * (4 << 20), `the file (${size} bytes) spans several 4 MiB reads`);
  // The first read ends at 4 MiB; with these sizes the line across that edge is a record (checked here).
  const crossing = chain.find((e) => e.offset < 4 << 20 && e.offset + e.bytes > 4 << 20)!;
  t.equal(crossing.type, 'asset.recorded', 'a record line crosses the first read\'s edge');
  for (const e of [chain[0]!, crossing, chain.findLast((x) => x.type === 'asset.recorded')!]) {
    const found = await new Ledger(file).append('asset.recorded', padded(e.seq));
    t.equal(found.seq, e.seq, `record ${e.seq} (bytes ${e.offset}–${e.offset + e.bytes}) is found`);
  }
  t.equal((await fs.stat(file)).size, size, 'nothing was appended');
  const next = await new Ledger(file).append('notice.changed', { note: 'after' });
  t.equal(next.seq, chain.length);
  t.equal(next.prev, chain.at(-1)!.hash);
  t.equal((await new Ledger(file).verify()).ok, true);
});

t.test('a long run of damaged lines before a torn last line is passed over back to the last whole entry', async (t) => {
  const file = await ledgerFile(t);
  const chain = await writeChain(file, [0, 1, 2].map((i) => ({ type: 'notice.changed', data: { note: `n${i}` } })));
  // Damaged lines far longer than the first look back (one longer than a whole read), then a cut line with no newline.
  await fs.appendFile(file, [100_000, 6_000_000, 100_000].map((n) => `{"data":{"note":"${'x'.repeat(n)}\n`).join('') + '{"data":{"no');
  const next = await new Ledger(file).append('notice.changed', { note: 'after' });
  t.equal(next.seq, 3, 'chained onto the last entry that parses');
  t.equal(next.prev, chain[2]!.hash);
  t.equal(await fs.readFile(`${file}.torn`, 'utf8'), '{"data":{"no\n', 'the cut line was moved aside');
});
