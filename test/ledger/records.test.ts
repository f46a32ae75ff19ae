// Typed records: every entry the real commands write parses with its type's schema, a malformed record is refused
// before anything is written, and entries from older ledgers (without the fields added since) still read.
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { LEDGER_TYPES, type LedgerEntry } from '../../protocol/src/ledger.ts';
import { PackReportSchema, RECORD_SCHEMAS } from '../../protocol/src/records.ts';
import { archiveBlend } from '../../server/archive/blend-archive.ts';
import { parseProfile } from '../../server/config.ts';
import { loadAssetIndex } from '../../server/evidence/assets.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { appendRecord, parseRecord } from '../../server/ledger/records.ts';
import { resolvePaths } from '../../server/paths.ts';
import { tempHome } from '../daemon/helpers.ts';
import { cli, makeRender } from '../evidence/helpers.ts';
import { FIXTURES } from '../helpers/pipeline-env.ts';

const readLedger = async (home: string): Promise<LedgerEntry[]> => new Ledger(path.join(home, 'ledger.jsonl')).readAll();

t.test('every entry the real commands write parses with its schema', async (t) => {
  const home = await tempHome('colophon-records-');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist', url: 'https://artist.example/' } }));
  const art = await makeRender(path.join(home, 'art', 'castle.png'), 7);
  const ok = async (args: string[]) => {
    const r = await cli(home, args);
    t.equal(r.code, 0, `colophon ${args.join(' ')}${r.code === 0 ? '' : `: ${r.stderr}`}`);
    return r;
  };
  await ok(['process', art]);
  await ok(['publish', art, '--where', 'ArtStation', '--url', 'https://www.artstation.com/artwork/abc', '--date', '2026-11-20']);
  await ok(['license', art, '--to', 'Studio North', '--terms', 'print run of 500', '--date', '2026-11-21']);
  const sent = JSON.parse((await ok(['optout', 'add', '--platform', 'ArtStation', '--method', 'form', '--ref', 'T-1', '--json'])).stdout) as LedgerEntry;
  await ok(['optout', 'respond', String(sent.data.optoutId), '--status', 'accepted', '--note', 'done']);
  await ok(['sitekit', '--out', path.join(home, 'site')]);
  const pack = path.join(home, 'pack');
  await makeRender(path.join(pack, 'one.png'), 1);
  await makeRender(path.join(pack, 'two.png'), 2);
  await ok(['pack', pack, '--out', path.join(home, 'packs')]);
  const report = JSON.parse(await fs.readFile(path.join(home, 'packs', 'pack', 'report.json'), 'utf8'));
  const parsedReport = PackReportSchema.safeParse(report);
  t.ok(parsedReport.success, `report.json parses as PackReport${parsedReport.success ? '' : `: ${parsedReport.error.message}`}`);

  // The .blend archiver writes its own asset.recorded (with the zip's members).
  const paths = resolvePaths({ COLOPHON_HOME: home });
  const { profile } = parseProfile({ creator: { name: 'Test Artist' } }, 'test', paths);
  const blend = path.join(home, 'scene', 'basic_file.blend');
  await fs.mkdir(path.dirname(blend), { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'blend', 'basic_file.blend'), blend);
  const ledger = new Ledger(paths.ledger);
  await archiveBlend({ blend, dependencies: ['//missing.png'] }, { profile, outRoot: path.join(home, 'output'), ledger });

  const entries = await readLedger(home);
  const seen = new Set(entries.map((e) => e.type));
  for (const type of LEDGER_TYPES.filter((x) => x !== 'ledger.anchored')) t.ok(seen.has(type), `the commands wrote a ${type} entry`);
  for (const e of entries) {
    const parsed = RECORD_SCHEMAS[e.type].safeParse(e.data);
    t.ok(parsed.success, `entry ${e.seq} (${e.type}) parses${parsed.success ? '' : `: ${parsed.error.message}`}`);
    // Parsing keeps every field: nothing a writer recorded is unknown to the schema.
    if (parsed.success) t.same(parsed.data, e.data, `entry ${e.seq} (${e.type}) has no field the schema does not know`);
  }
  const archived = entries.find((e) => e.type === 'asset.recorded' && e.data.source === 'archive');
  t.same(archived?.data.missing, ['//missing.png'], 'the archive record keeps its missing dependencies');
  t.equal((await loadAssetIndex(ledger)).problems.length, 0, 'the asset index reads every asset.recorded');
});

t.test('a malformed record is refused before anything is written', async (t) => {
  const home = await tempHome('colophon-records-bad-');
  const ledger = new Ledger(path.join(home, 'ledger.jsonl'));
  const good = { assetId: '0123456789abcdef', sha256: 'a'.repeat(64), where: 'ArtStation', url: 'https://a.example/1', date: '2026-11-20' };
  await appendRecord(ledger, 'asset.published', good);
  const before = await fs.readFile(ledger.file);

  const missing = { ...good } as Partial<typeof good>;
  delete missing.url;
  await t.rejects(appendRecord(ledger, 'asset.published', missing as typeof good), { key: 'LEDGER_ERROR', message: /asset\.published record was not written.*url/ }, 'a missing field');
  await t.rejects(appendRecord(ledger, 'asset.published', { ...good, date: 'yesterday' }), { key: 'LEDGER_ERROR', message: /date/ }, 'a wrong field');
  await t.rejects(appendRecord(ledger, 'asset.published', { ...good, sneaky: 1 } as typeof good), { key: 'LEDGER_ERROR', message: /fields not in the asset\.published schema: sneaky/ }, 'an unknown field');
  await t.rejects(
    appendRecord(ledger, 'optout.response', { optoutId: 'oo-abcdef', status: 'maybe' as 'accepted', date: '2026-11-20' }),
    { key: 'LEDGER_ERROR', message: /status/ },
    'a value outside the enum',
  );
  t.ok((await fs.readFile(ledger.file)).equals(before), 'the ledger is byte for byte as it was');
  t.equal((await ledger.verify()).ok, true);
});

t.test('older entries (without the fields added since) still read; a broken one is reported, not fatal', async (t) => {
  const home = await tempHome('colophon-records-old-');
  const ledger = new Ledger(path.join(home, 'ledger.jsonl'));
  const sha = (c: string) => c.repeat(64);
  // As the first release wrote it: no credential on outputs, no photo/role on the input.
  await ledger.append('asset.recorded', {
    assetId: 'aaaaaaaaaaaaaaaa', source: 'cli',
    input: { path: '/art/a.png', sha256: sha('a'), bytes: 10, kind: 'render', sourceRich: false, format: 'png' },
    outputs: [{ path: '/out/private/aaaaaaaaaaaaaaaa/a.png', visibility: 'private', purpose: 'master', sha256: sha('b'), bytes: 10 }],
    creator: { name: 'A' }, licence: { name: 'All rights reserved' }, dataMining: 'DMI-PROHIBITED-AIMLTRAINING', noticeVersion: '1', termsVersion: '1',
  });
  await ledger.append('asset.recorded', { assetId: 'bbbbbbbbbbbbbbbb', input: { path: '/art/b.png' }, outputs: [] });
  const [old, broken] = await ledger.readAll();
  t.ok(parseRecord(old as LedgerEntry & { type: 'asset.recorded' }).ok, 'the old entry parses');
  const bad = parseRecord(broken as LedgerEntry & { type: 'asset.recorded' });
  t.equal(bad.ok, false);
  if (!bad.ok) t.match(bad.problem, /ledger entry 1 \(asset\.recorded\) is not a valid record/);
  const index = await loadAssetIndex(ledger);
  t.same([...index.assets.keys()], ['aaaaaaaaaaaaaaaa'], 'the readable asset is indexed');
  t.equal(index.problems.length, 1, 'the broken one is reported');
});
