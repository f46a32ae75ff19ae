import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { processPaths } from '../../server/pipeline/process.ts';
import { FIXTURES, makeEnv } from '../helpers/pipeline-env.ts';
import { cli } from './helpers.ts';

const PHOTO = path.join(FIXTURES, 'photos/DSCN0010.jpg');

t.test('publish, license and optout append real ledger entries; the chain still verifies and edits are caught', async (t) => {
  const env = await makeEnv(t);
  const { results, errors } = await processPaths([PHOTO], { source: 'cli' }, env);
  t.same(errors, []);
  const assetId = results[0]!.assetId;

  // publish by assetId and by path (resolved through the file's SHA-256)
  let r = await cli(env.home, ['publish', assetId, '--where', 'ArtStation', '--url', 'https://www.artstation.com/artwork/abc', '--date', '2026-11-01', '--json']);
  t.equal(r.code, 0, r.stderr);
  const pub = JSON.parse(r.stdout);
  t.equal(pub.type, 'asset.published');
  t.match(pub.data, { assetId, where: 'ArtStation', url: 'https://www.artstation.com/artwork/abc', date: '2026-11-01', sha256: results[0]!.input.sha256 });

  r = await cli(env.home, ['publish', PHOTO, '--where', 'My blog', '--url', 'https://jane.example.org/post/1']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`Recorded publication of ${assetId}`));

  r = await cli(env.home, ['license', assetId, '--to', 'ACME Studios', '--terms', 'Editorial use, 2026 only', '--json']);
  t.equal(r.code, 0, r.stderr);
  t.match(JSON.parse(r.stdout).data, { assetId, licensee: 'ACME Studios', terms: 'Editorial use, 2026 only' });

  // optout add / respond / list
  r = await cli(env.home, ['optout', 'add', '--platform', 'Meta', '--method', 'form', '--ref', 'confirmation 8812', '--json']);
  t.equal(r.code, 0, r.stderr);
  const metaId = JSON.parse(r.stdout).data.optoutId as string;
  t.match(metaId, /^oo-[0-9a-f]{6}$/);
  r = await cli(env.home, ['optout', 'add', '--platform', 'X', '--method', 'setting', '--date', '2026-01-10', '--json']);
  const xId = JSON.parse(r.stdout).data.optoutId as string;
  r = await cli(env.home, ['optout', 'respond', metaId, '--status', 'accepted', '--note', 'e-mail confirmation']);
  t.equal(r.code, 0, r.stderr);

  r = await cli(env.home, ['optout', 'list', '--json']);
  t.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout);
  const meta = list.optouts.find((o: { id: string }) => o.id === metaId);
  const x = list.optouts.find((o: { id: string }) => o.id === xId);
  t.match(meta, { platform: 'Meta', status: 'accepted', overdue: false, ref: 'confirmation 8812' });
  t.equal(meta.responses[0].note, 'e-mail confirmation');
  t.match(x, { platform: 'X', status: 'pending', overdue: true }, 'no reply after more than 30 days is overdue');

  r = await cli(env.home, ['optout', 'list']);
  t.match(r.stdout, new RegExp(`${xId}.*OVERDUE`));
  t.notMatch(r.stdout, new RegExp(`${metaId}.*OVERDUE`));
  r = await cli(env.home, ['optout', 'list', '--days', '400', '--json']);
  t.equal(JSON.parse(r.stdout).optouts.find((o: { id: string }) => o.id === xId).overdue, false, '--days moves the limit');

  // the chain holds after all of it
  r = await cli(env.home, ['ledger', 'verify']);
  const verify = await env.ledger!.verify();
  t.equal(verify.ok, true);
  t.equal(verify.entries, 7);
  if (!/not available yet/.test(r.stderr)) t.equal(r.code, 0, `colophon ledger verify: ${r.stdout}${r.stderr}`);

  // editing any record (here the licence) is detected and named
  const ledgerFile = path.join(env.home, 'ledger.jsonl');
  const text = await fs.readFile(ledgerFile, 'utf8');
  await fs.writeFile(ledgerFile, text.replace('"licensee":"ACME Studios"', '"licensee":"Someone Else"'));
  const broken = await env.ledger!.verify();
  t.equal(broken.ok, false);
  t.equal(broken.firstBadSeq, 3, 'the licence entry is named');
  r = await cli(env.home, ['ledger', 'verify']);
  if (!/not available yet/.test(r.stderr)) t.equal(r.code, 1, 'colophon ledger verify exits 1 on an edited ledger');
});

t.test('bad input gives a clear message and the right exit code, and writes nothing', async (t) => {
  const env = await makeEnv(t);
  await processPaths([PHOTO], { source: 'cli' }, env);
  const before = (await env.ledger!.readAll()).length;

  const unknownId = await cli(env.home, ['publish', 'ffffffffffffffff', '--where', 'X', '--url', 'https://x.com/a']);
  t.equal(unknownId.code, 1);
  t.match(unknownId.stderr, /neither an asset id in the ledger nor an existing file/);

  const unrecorded = await cli(env.home, ['license', path.join(FIXTURES, 'photos/Canon_40D.jpg'), '--to', 'Someone']);
  t.equal(unrecorded.code, 1);
  t.match(unrecorded.stderr, /is not recorded in the ledger\. Process it first/);

  const badUrl = await cli(env.home, ['publish', PHOTO, '--where', 'X', '--url', 'not a url']);
  t.equal(badUrl.code, 2);
  t.match(badUrl.stderr, /--url "not a url" is not a URL/);

  const badDate = await cli(env.home, ['publish', PHOTO, '--where', 'X', '--url', 'https://x.com/a', '--date', '2026-02-30']);
  t.equal(badDate.code, 2);
  t.match(badDate.stderr, /--date "2026-02-30" is not a date/);

  const missing = await cli(env.home, ['publish', PHOTO, '--url', 'https://x.com/a']);
  t.equal(missing.code, 2, 'a missing required option is a usage error');

  const badMethod = await cli(env.home, ['optout', 'add', '--platform', 'X', '--method', 'pigeon']);
  t.equal(badMethod.code, 2);
  t.match(badMethod.stderr, /not one of form, email, setting, robots/);

  const badId = await cli(env.home, ['optout', 'respond', 'oo-000000', '--status', 'accepted']);
  t.equal(badId.code, 1, 'an unknown id is a failed lookup, not a usage error');
  t.match(badId.stderr, /No opt-out request with id "oo-000000"/);

  const badStatus = await cli(env.home, ['optout', 'respond', 'oo-000000', '--status', 'maybe']);
  t.equal(badStatus.code, 2);

  t.equal((await env.ledger!.readAll()).length, before, 'no entry was appended by any failed command');
});

t.test('optout checklist is dated, names its sources and says where there is no opt-out', async (t) => {
  const env = await makeEnv(t);
  const r = await cli(env.home, ['optout', 'checklist', '--json']);
  t.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout);
  t.match(list.checked, /^\d{4}-\d{2}-\d{2}$/);
  const names = list.items.map((i: { platform: string }) => i.platform).join(' | ');
  for (const p of ['ArtStation', 'DeviantArt', 'Meta', 'X (Twitter)', 'LinkedIn', 'Adobe', 'Do Not Train Registry']) t.match(names, p);
  for (const item of list.items) {
    t.ok(item.source.length > 0 && item.limits.length > 0, `${item.platform} has a source and limits`);
  }
  const text = await cli(env.home, ['optout', 'checklist']);
  t.match(text.stdout, new RegExp(`checked ${list.checked}`));
  t.match(text.stdout, /Opt-out: NONE OFFERED/);
  t.match(text.stdout, /outside the EU\/EEA and UK/);
});
