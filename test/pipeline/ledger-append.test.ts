import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';

t.test('the first append on a fresh home creates the ledger folder', async (t) => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-fresh-'));
  t.teardown(() => fs.rm(base, { recursive: true, force: true }));
  const ledger = new Ledger(path.join(base, 'not', 'yet', 'there', 'ledger.jsonl'));
  const e = await ledger.append('notice.changed', { note: 'first' });
  t.equal(e.seq, 0);
  t.equal((await ledger.verify()).ok, true);
});

t.test('a torn last line from a crash is reported by verify and cut (kept aside) before the next append', async (t) => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-torn-'));
  t.teardown(() => fs.rm(base, { recursive: true, force: true }));
  const file = path.join(base, 'ledger.jsonl');
  const ledger = new Ledger(file);
  await ledger.append('notice.changed', { n: 1 });
  await fs.appendFile(file, '{"seq":1,"ts":"2026-');
  t.match(await ledger.verify(), { ok: false, entries: 1, firstBadSeq: 1, problem: /cut off/ });
  const e = await ledger.append('notice.changed', { n: 2 });
  t.equal(e.seq, 1);
  t.match(await ledger.verify(), { ok: true, entries: 2 });
  t.notMatch(await fs.readFile(file, 'utf8'), /"ts":"2026-\{/, 'the torn bytes are gone');
  t.equal(await fs.readFile(`${file}.torn`, 'utf8'), '{"seq":1,"ts":"2026-\n', 'and kept aside');
});

t.test('concurrent appends from one process stay a single chain', async (t) => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-conc-'));
  t.teardown(() => fs.rm(base, { recursive: true, force: true }));
  const ledger = new Ledger(path.join(base, 'ledger.jsonl'));
  const entries = await Promise.all(Array.from({ length: 25 }, (_, i) => ledger.append('notice.changed', { i })));
  t.same(entries.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
  t.match(await ledger.verify(), { ok: true, entries: 25 });
});
