// Issue 12 item 13: the stored line is the canonical form the hash binds, verify reports a cut or unterminated
// last line, the next append never drops a complete entry, and anyone can recompute a hash with stock tools.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');

async function setup(t: { teardown(fn: () => unknown): void }) {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-canon-'));
  t.teardown(() => fs.rm(home, { recursive: true, force: true }));
  const file = path.join(home, 'ledger.jsonl');
  const ledger = new Ledger(file);
  await ledger.append('notice.changed', { note: 'first', bytes: 3, ratio: 0.1 });
  await ledger.append('asset.published', { assetId: '00000000000000a1', where: 'ArtStation ©-café "q"\n\t\u0001', url: 'https://example.com/a' });
  await ledger.append('notice.changed', { note: 'third', nested: { b: [1, 2, { z: true, a: null }], a: 1e21, small: 1e-7 } });
  const verify = () => {
    const r = spawnSync(process.execPath, [bin, 'ledger', 'verify', '--json'], { env: { ...process.env, COLOPHON_HOME: home }, encoding: 'utf8' });
    return { status: r.status, report: JSON.parse(r.stdout) as Record<string, unknown> };
  };
  const lines = async () => (await fs.readFile(file, 'utf8')).split('\n').slice(0, -1);
  const writeLines = (ls: string[], end = '\n') => fs.writeFile(file, ls.join('\n') + end);
  return { home, file, ledger, verify, lines, writeLines };
}

t.test('every stored line is exactly its RFC 8785 form', async (t) => {
  const { verify } = await setup(t);
  t.match(verify(), { status: 0, report: { ok: true, entries: 3 } });
});

t.test('edits that leave the hashed content equal still fail: extra field, duplicated key, whitespace, 3.0 for 3, key order', async (t) => {
  const { verify, lines, writeLines } = await setup(t);
  const original = await lines();
  const cases: Array<[string, (l: string) => string]> = [
    ['an extra top-level field', (l) => l.replace(/^\{/, '{"comment":"added later",')],
    ['a duplicated key', (l) => l.replace('"bytes":3', '"bytes":3,"bytes":3')],
    ['whitespace', (l) => l.replace('"bytes":3', '"bytes": 3')],
    ['3.0 for 3', (l) => l.replace('"bytes":3', '"bytes":3.0')],
    ['1e-1 for 0.1', (l) => l.replace('"ratio":0.1', '"ratio":1e-1')],
    ['an escaped letter', (l) => l.replace('"note":"first"', '"note":"\\u0066irst"')],
    ['keys reordered', (l) => l.replace('"bytes":3,"note":"first"', '"note":"first","bytes":3')],
  ];
  for (const [what, edit] of cases) {
    const edited = edit(original[0]!);
    t.not(edited, original[0], `${what}: the edit applies`);
    await writeLines([edited, ...original.slice(1)]);
    const r = verify();
    t.equal(r.status, 1, `${what}: verify fails`);
    t.match(r.report, { ok: false, firstBadSeq: 0 }, `${what}: entry 0 is named`);
  }
  await writeLines(original);
  t.equal(verify().status, 0, 'and the untouched file verifies again');
});

t.test('a last line that lost its newline is reported, and the next append keeps it', async (t) => {
  const { ledger, file, verify, lines, writeLines } = await setup(t);
  const original = await lines();
  await writeLines(original, '');
  let r = verify();
  t.equal(r.status, 1);
  t.match(r.report, { ok: false, firstBadSeq: 2, entries: 3, problem: /lost its newline/ });
  const e = await new Ledger(file).append('notice.changed', { note: 'fourth' });
  t.equal(e.seq, 3, 'the complete entry 2 was kept and chained onto');
  t.same((await lines()).slice(0, 3), original);
  r = verify();
  t.match(r.report, { ok: true, entries: 4 });
  await ledger.append('notice.changed', { note: 'fifth' }); // an instance that read the file before it was damaged
  t.match(verify().report, { ok: true, entries: 5 });
});

t.test('a cut last line is reported, kept aside, and never swallows the complete entries', async (t) => {
  const { file, verify, lines, writeLines } = await setup(t);
  const original = await lines();
  await writeLines([...original.slice(0, 2), original[2]!.slice(0, 40)], '');
  const r = verify();
  t.equal(r.status, 1);
  t.match(r.report, { ok: false, firstBadSeq: 2, entries: 2, problem: /cut off/ });
  const e = await new Ledger(file).append('notice.changed', { note: 'after the cut' });
  t.equal(e.seq, 2);
  t.same((await lines()).slice(0, 2), original.slice(0, 2));
  t.equal(await fs.readFile(`${file}.torn`, 'utf8'), original[2]!.slice(0, 40) + '\n');
  t.match(verify().report, { ok: true, entries: 3 });
});

t.test('README recipe: the hash recomputed with python3 and with jq + sha256sum matches every entry', async (t) => {
  const { file } = await setup(t);
  const python = [
    'import hashlib, json, sys',
    'for line in open(sys.argv[1], encoding="utf-8"):',
    '    e = json.loads(line); h = e.pop("hash")',
    '    c = json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False)',
    '    print(e["seq"], "ok" if hashlib.sha256(c.encode()).hexdigest() == h else "BAD")',
  ].join('\n');
  const out = execFileSync('python3', ['-c', python, file], { encoding: 'utf8' });
  // The 1e21 / 1e-7 entry is where Python's float spelling differs from RFC 8785's (as the README says).
  t.same(out.trim().split('\n'), ['0 ok', '1 ok', '2 BAD']);
  const hasJq = spawnSync('jq', ['--version']).status === 0;
  if (!hasJq) {
    t.comment('jq is not installed: the jq half of the recipe was not run');
    return;
  }
  const stored = (await fs.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).hash as string);
  for (let n = 0; n < 2; n++) {
    const sh = `sed -n '${n + 1}p' "$1" | jq -cjS 'del(.hash)' | sha256sum`;
    const got = execFileSync('bash', ['-c', sh, 'recipe', file], { encoding: 'utf8' }).split(' ')[0];
    t.equal(got, stored[n], `jq recipe, entry ${n}`);
  }
});
