import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ProcessReportSchema } from '../../protocol/src/results.ts';
import { FIXTURES, makeImage, run } from '../helpers/pipeline-env.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/colophon.js');

async function colophon(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, COLOPHON_HOME: home }, maxBuffer: 32 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

t.test('process --json: the SPEC §5 shape, exit 0 when all good', async (t) => {
  const home = t.testdir();
  const out = path.join(home, 'out');
  const r = await colophon(home, ['process', '--json', '--out', out, path.join(FIXTURES, 'photos/DSCN0010.jpg')]);
  t.equal(r.code, 0, r.stderr);
  const report = ProcessReportSchema.parse(JSON.parse(r.stdout));
  t.equal(report.results.length, 1);
  t.equal(report.errors.length, 0);
  const res = report.results[0]!;
  t.equal(res.source, 'cli');
  t.match(res.outputs.map((o) => o.purpose).sort(), ['manifest', 'master', 'preview']);
  t.equal(typeof res.ledgerSeq, 'number', 'recorded in the ledger');
  t.ok((await fs.stat(path.join(home, 'ledger.jsonl'))).size > 0);
  t.match(r.stderr, /creator is not set/, 'the unset creator is pointed out');
});

t.test('process: exit 1 when some inputs fail, others still processed; human output names both', async (t) => {
  const home = t.testdir();
  const good = await makeImage(path.join(home, 'ok.png'), 64, 48);
  const r = await colophon(home, ['process', '--out', path.join(home, 'out'), good, path.join(FIXTURES, 'exr/damaged-2.exr')]);
  t.equal(r.code, 1);
  t.match(r.stdout, /✓ .*ok\.png\s+\[render\]/);
  t.match(r.stdout, /✗ .*damaged-2\.exr\s+CORRUPT_FILE: /);
  t.match(r.stdout, /1 processed, 1 failed/);
});

t.test('usage errors exit 2', async (t) => {
  const home = t.testdir();
  t.equal((await colophon(home, ['process'])).code, 2, 'missing argument');
  t.equal((await colophon(home, ['process', '--source', 'nope', 'x.png'])).code, 2, 'bad --source');
  t.equal((await colophon(home, ['no-such-command'])).code, 2, 'unknown command');
  t.equal((await colophon(home, ['--help'])).code, 0, '--help is not an error');
});

t.test('init writes a profile; bad values are refused naming the field; invalid config names every bad field', async (t) => {
  const home = t.testdir();
  const ok = await colophon(home, ['init', '--creator', 'Jane Artist', '--email', 'jane@example.org', '--data-mining', 'DMI-PROHIBITED', '--web-statement', 'https://jane.example.org/terms']);
  t.equal(ok.code, 0, ok.stderr);
  const written = JSON.parse(await fs.readFile(path.join(home, 'config.json'), 'utf8'));
  t.same(written, { creator: { name: 'Jane Artist', email: 'jane@example.org' }, dataMining: 'DMI-PROHIBITED', webStatement: 'https://jane.example.org/terms' });
  const bad = await colophon(home, ['init', '--creator', 'J', '--data-mining', 'DMI-ALLOWED-noaitraining']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /dataMining/);
  t.same(JSON.parse(await fs.readFile(path.join(home, 'config.json'), 'utf8')), written, 'a refused init leaves the old profile');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: '' }, dataMining: 'nope', preview: { longEdge: -5, watermark: { placement: 'middle' } }, colour: 'red' }));
  const img = await makeImage(path.join(home, 'a.png'), 20, 20);
  const r = await colophon(home, ['process', img]);
  t.equal(r.code, 1);
  for (const field of ['creator.name', 'dataMining', 'preview.longEdge', 'preview.watermark.placement']) t.match(r.stderr, field, `names ${field}`);
  t.match(r.stderr, /colour|Unrecognized key/);
});
