import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';
import { tempHome } from '../daemon/helpers.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');

/** A real ledger with a few entries, one of them with a file name that needs CSV quoting. */
async function setup() {
  const home = await tempHome('colophon-ledger-cli-');
  const ledger = new Ledger(path.join(home, 'ledger.jsonl'));
  const record = (assetId: string, file: string) =>
    ledger.append('asset.recorded', {
      assetId,
      source: 'cli',
      input: { path: file, sha256: assetId + '0'.repeat(48), bytes: 10, kind: 'render', format: 'png' },
      outputs: [],
      creator: { name: 'Jane "JJ" Artist' },
      licence: { name: 'All rights reserved' },
      dataMining: 'DMI-PROHIBITED-AIMLTRAINING',
      noticeVersion: '1',
      termsVersion: '1',
    });
  await record('00000000000000a1', '/renders/plain.png');
  await record('00000000000000b2', '=HYPERLINK("http://x"), "quoted"\nname.png');
  await ledger.append('asset.published', { assetId: '00000000000000a1', sha256: '00000000000000a1' + '0'.repeat(48), where: 'ArtStation', url: 'https://example.com/a', date: '2026-11-22' });
  await record('00000000000000c3', '/renders/©-café.png');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'ledger', ...args], { env: { ...process.env, COLOPHON_HOME: home }, encoding: 'utf8' });
  return { home, ledger, run };
}

/** RFC 4180 parser, only for checking our own output. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  return rows;
}

t.test('verify: exit 0 on an intact chain, --json gives the report', async (t) => {
  const { run } = await setup();
  const human = run('verify');
  t.equal(human.status, 0);
  t.match(human.stdout, /ledger OK: 4 entries/);
  const json = run('verify', '--json');
  t.equal(json.status, 0);
  t.match(JSON.parse(json.stdout), { ok: true, entries: 4 });
});

t.test('verify: a line edited by hand is named, exit 1', async (t) => {
  const { home, run } = await setup();
  const file = path.join(home, 'ledger.jsonl');
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  lines[2] = lines[2]!.replace('ArtStation', 'Elsewhere');
  await fs.writeFile(file, lines.join('\n'));
  const human = run('verify');
  t.equal(human.status, 1);
  t.match(human.stdout, /BROKEN at entry seq 2/);
  t.match(human.stdout, /altered/);
  const json = JSON.parse(run('verify', '--json').stdout);
  t.match(json, { ok: false, firstBadSeq: 2 });
});

t.test('verify: a deleted line breaks the chain at that point', async (t) => {
  const { home, run } = await setup();
  const file = path.join(home, 'ledger.jsonl');
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  lines.splice(1, 1);
  await fs.writeFile(file, lines.join('\n'));
  const r = run('verify', '--json');
  t.equal(r.status, 1);
  t.equal(JSON.parse(r.stdout).firstBadSeq, 1);
});

t.test('show: by assetId or sha256; nothing found is exit 1, a malformed id exit 2', async (t) => {
  const { run } = await setup();
  const byId = run('show', '00000000000000a1', '--json');
  t.equal(byId.status, 0);
  t.same(JSON.parse(byId.stdout).entries.map((e: { type: string }) => e.type), ['asset.recorded', 'asset.published']);
  const human = run('show', '00000000000000a1');
  t.match(human.stdout, /asset\.published/);
  t.match(human.stdout, /ArtStation/);
  const bySha = run('show', '00000000000000c3' + '0'.repeat(48), '--json');
  t.equal(JSON.parse(bySha.stdout).entries.length, 1);
  t.equal(run('show', 'ffffffffffffffff').status, 1);
  const bad = run('show', 'not-an-id');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /16 hex digits/);
});

t.test('export --csv: one row per entry, proper quoting, formula-safe, UTF-8 with BOM', async (t) => {
  const { home, run } = await setup();
  const r = run('export', '--csv');
  t.equal(r.status, 0);
  t.ok(r.stdout.startsWith('\uFEFF'), 'starts with a BOM so spreadsheets read UTF-8');
  const rows = parseCsv(r.stdout.slice(1));
  t.same(rows[0], ['seq', 'ts', 'type', 'assetId', 'file', 'sha256', 'creator', 'licence', 'dataMining', 'hash']);
  t.equal(rows.length, 5, 'header + 4 entries');
  t.equal(rows[2]![4], '\'=HYPERLINK("http://x"), "quoted"\nname.png', 'commas, quotes and newlines survive; the formula is defused');
  t.equal(rows[1]![6], 'Jane "JJ" Artist');
  t.equal(rows[3]![2], 'asset.published');
  t.equal(rows[4]![4], '/renders/©-café.png');
  t.equal(rows[1]![8], 'DMI-PROHIBITED-AIMLTRAINING');
  const out = path.join(home, 'sheet.csv');
  const w = run('export', '--csv', '--out', out);
  t.equal(w.status, 0);
  t.equal(await fs.readFile(out, 'utf8'), r.stdout, '--out writes the same sheet');
  t.equal(run('export').status, 2, 'without a format it is a usage error');
});
