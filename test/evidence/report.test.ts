import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import t from 'tap';
import { hammingDistance, phash } from '../../server/pipeline/phash.ts';
import { processPaths } from '../../server/pipeline/process.ts';
import { FIXTURES, makeEnv } from '../helpers/pipeline-env.ts';
import { cli, hasCommand, makeRender } from './helpers.ts';

const run = promisify(execFile);
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find(hasCommand);
const HOSTILE_WHERE = '<script>alert("where")</script>';
const HOSTILE_LICENSEE = '<img src=x onerror="alert(1)">Bad & Co';

function chromiumArgs(profileDir: string): string[] {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profileDir}`,
  ];
}

t.test('evidence report: self-contained, escaped, and rendered by headless Chromium with the asset data', async (t) => {
  const env = await makeEnv(t);
  const photo = path.join(FIXTURES, 'photos/DSCN0010.jpg');
  const { results } = await processPaths([photo], { source: 'cli' }, env);
  const asset = results[0]!;
  const id = asset.assetId;
  const steps: string[][] = [
    ['publish', id, '--where', HOSTILE_WHERE, '--url', 'https://example.org/post?a=1&b=<2>', '--date', '2026-11-02'],
    ['license', photo, '--to', HOSTILE_LICENSEE, '--terms', 'print run of 500'],
    ['optout', 'add', '--platform', 'Spawning DNTR', '--method', 'form', '--ref', 'batch 7'],
    ['sitekit', '--out', path.join(env.home, 'kit')],
  ];
  for (const s of steps) {
    const r = await cli(env.home, s);
    t.equal(r.code, 0, `${s[0]}: ${r.stderr}`);
  }
  const out = path.join(env.home, 'report.html');
  const r = await cli(env.home, ['evidence', id, '--out', out]);
  t.equal(r.code, 0, r.stderr);
  const html = await fs.readFile(out, 'utf8');

  // every hash and date the report promises
  for (const must of [id, asset.input.sha256, asset.input.phash!, ...asset.outputs.filter((o) => o.purpose !== 'manifest').map((o) => o.sha256)]) t.ok(html.includes(must), `report has ${must.slice(0, 16)}`);
  const entries = await env.ledger!.readAll();
  for (const e of entries) t.ok(html.includes(e.hash), `report has the chain hash of entry ${e.seq} (${e.type})`);
  t.ok(html.includes(entries[0]!.ts), 'first-recorded date');
  t.match(html, /Notice version in force<\/th><td>1</);
  t.match(html, /Terms version in force<\/th><td>1</);
  t.match(html, /colophon ledger verify/);
  t.match(html, /Spawning DNTR/);
  t.match(html, /@media print/);

  // self-contained and safe: no scripts, no external resources, artist text escaped
  t.notMatch(html, /<script/i, 'no script element, not even from the hostile --where');
  t.notMatch(html, /<img src=x/i, 'the hostile licensee is text, not markup');
  t.ok(html.includes('&lt;script&gt;alert(&quot;where&quot;)&lt;/script&gt;'));
  t.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Bad &amp; Co'));
  t.notMatch(html, /(src|href)="(?!data:|https:\/\/example\.org)[a-z]+:/i, 'no resource is fetched from anywhere');
  t.notMatch(html, /<link|@import|url\(/i);

  // the thumbnail is the asset's public preview, inlined
  const m = /src="data:image\/jpeg;base64,([A-Za-z0-9+/=]+)"/.exec(html);
  t.ok(m, 'thumbnail inlined as a data: URI');
  const thumb = Buffer.from(m![1]!, 'base64');
  const meta = await sharp(thumb).metadata();
  t.equal(meta.format, 'jpeg');
  t.ok(hammingDistance(await phash(thumb), asset.input.phash!) <= 6, 'the thumbnail shows the recorded picture');

  const skip = CHROMIUM == null ? 'chromium is not installed (apt-get install chromium): browser rendering not checked' : false;
  await t.test('headless Chromium renders it with the asset data and prints it', { skip }, async (t) => {
    const browser = CHROMIUM!;
    const profileDir = await fs.mkdtemp(path.join(env.home, 'chromium-'));
    const dom = await run(browser, [...chromiumArgs(profileDir), '--dump-dom', `file://${out}`], { timeout: 90_000, maxBuffer: 32 << 20 });
    t.match(dom.stdout, new RegExp(`<h1>Evidence for asset ${id}</h1>`));
    t.ok(dom.stdout.includes(asset.input.sha256), 'Chromium\'s DOM carries the SHA-256');
    t.ok(dom.stdout.includes('Chain verified'), 'and the verification line');
    t.notMatch(dom.stdout, /<script/i, 'the browser built no script element');
    const pdf = path.join(env.home, 'report.pdf');
    await run(browser, [...chromiumArgs(profileDir), '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${out}`], { timeout: 90_000 });
    const head = (await fs.readFile(pdf)).subarray(0, 5).toString('latin1');
    t.equal(head, '%PDF-', 'it prints to PDF');
  });
});

t.test('evidence for a path, a folder (pack) and bad targets', async (t) => {
  const env = await makeEnv(t);
  const pack = path.join(env.home, 'MyPack');
  const a = await makeRender(path.join(pack, 'hero.png'), 11);
  const b = await makeRender(path.join(pack, 'detail.png'), 12);
  const { results, errors } = await processPaths([a, b], { source: 'pack' }, env);
  t.same(errors, []);
  await fs.writeFile(path.join(pack, 'README.txt'), 'never processed');

  const byPath = await cli(env.home, ['evidence', a, '--out', path.join(env.home, 'a.html')]);
  t.equal(byPath.code, 0, byPath.stderr);
  t.ok((await fs.readFile(path.join(env.home, 'a.html'), 'utf8')).includes(results.find((r) => r.input.path === a)!.assetId));

  const byFolder = await cli(env.home, ['evidence', pack, '--out', path.join(env.home, 'pack.html')]);
  t.equal(byFolder.code, 0, byFolder.stderr);
  const html = await fs.readFile(path.join(env.home, 'pack.html'), 'utf8');
  t.match(html, /Evidence for .*MyPack \(2 assets\)/);
  for (const r of results) t.ok(html.includes(r.assetId), `pack report has ${r.assetId}`);
  t.match(html, /Files not in the ledger[\s\S]*README\.txt/);

  const defaultName = await cli(env.home, ['evidence', results[0]!.assetId]);
  t.equal(defaultName.code, 0);
  await fs.access(path.join(env.home, `${results[0]!.assetId}.evidence.html`));

  const unknown = await cli(env.home, ['evidence', 'abcdefabcdefabcd']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /neither an asset id in the ledger nor an existing file or folder/);

  // a report made from an edited ledger says so, and the command fails
  const ledgerFile = path.join(env.home, 'ledger.jsonl');
  const text = await fs.readFile(ledgerFile, 'utf8');
  await fs.writeFile(ledgerFile, text.replace('"source":"pack"', '"source":"cli"'));
  const broken = await cli(env.home, ['evidence', results[0]!.assetId, '--out', path.join(env.home, 'broken.html')]);
  t.equal(broken.code, 1);
  t.match(await fs.readFile(path.join(env.home, 'broken.html'), 'utf8'), /Chain BROKEN at entry 0/);
});

t.test('evidence for a delivered pack zip made by colophon pack', async (t) => {
  const env = await makeEnv(t);
  const pack = path.join(env.home, 'ZipPack');
  await makeRender(path.join(pack, 'hero.png'), 21);
  await makeRender(path.join(pack, 'side.png'), 22);
  const packed = await cli(env.home, ['pack', pack, '--out', path.join(env.home, 'packout'), '--json']);
  t.equal(packed.code, 0, packed.stderr);
  const { results, archive } = JSON.parse(packed.stdout) as { results: Array<{ assetId: string }>; archive: { path: string } };
  t.equal(results.length, 2);
  const out = path.join(env.home, 'zip.html');
  const r = await cli(env.home, ['evidence', archive.path, '--out', out]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /for 2 asset\(s\)/);
  const html = await fs.readFile(out, 'utf8');
  for (const a of results) t.ok(html.includes(a.assetId), `the zip's report covers ${a.assetId}`);
  t.match(html, /Files not in the ledger[\s\S]*LICENSE/, 'files the pack added (licence, readme) are listed as not recorded');
});
