// Issue 12 items 1, 11 (input guard) and 14 (picture-less JPEG): metadata bombs never reach exiftool or sharp.
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import t from 'tap';
import { RpcClient, startTestDaemon, tempHome, listFiles } from '../daemon/helpers.ts';
import { iccpBomb, itxtXmpBomb, jpegWithExtendedXmp, jpegWithoutScan, pngWith, ztxtBomb } from './bombs.ts';
import { colophon } from './helpers.ts';

const GiB = 2 ** 30;
const home = await tempHome('colophon-bombs-');
const out = path.join(home, 'output');
const d = await startTestDaemon(home);
await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' }, output: { root: out } }));
const client = await RpcClient.forDaemon(d);
const work = await fs.mkdtemp(path.join(home, 'in-'));
t.teardown(async () => {
  await client.close();
  await d.close();
});

async function write(name: string, data: Buffer): Promise<string> {
  const f = path.join(work, name);
  await fs.writeFile(f, data);
  return f;
}

t.test('a 2 MB PNG whose iTXt XMP inflates to 2 GiB is TOO_LARGE; the daemon lives on and stays small', async (t) => {
  const bomb = await write('xmp-bomb.png', await pngWith([itxtXmpBomb(2 * GiB)]));
  t.ok((await fs.stat(bomb)).size < 3 << 20, 'the bomb itself is small');
  const rssBefore = process.memoryUsage().rss;
  const r = await client.call('asset.process', { paths: [bomb], source: 'f12' });
  const e = r.result?.errors?.[0];
  t.equal(e?.code, 'TOO_LARGE', JSON.stringify(r));
  t.match(e?.message, /xmp-bomb\.png: its iTXt chunk "XML:com\.adobe\.xmp" inflates to more than 16 MiB/);
  t.match(e?.message, /Re-export it/);
  const grown = process.memoryUsage().rss - rssBefore;
  t.ok(grown < 256 << 20, `memory grew by ${(grown / 2 ** 20).toFixed(0)} MiB only`);
  const hello = await client.call('session.hello', { protocol: 1, client: { name: 'tap', version: '1' } });
  t.equal(hello.result?.protocol, 1, 'the daemon still answers');
  t.same((await listFiles(out)).filter((f) => !f.startsWith('.')), [], 'nothing was written');
});

t.test('zTXt and iCCP bombs are refused the same way', async (t) => {
  const z = await write('text-bomb.png', await pngWith([ztxtBomb(GiB)]));
  const icc = await write('icc-bomb.png', await pngWith([iccpBomb(256 << 20)]));
  const r = await client.call('asset.process', { paths: [z, icc] });
  t.same(r.result.errors.map((e: { code: string }) => e.code), ['TOO_LARGE', 'TOO_LARGE']);
  t.match(r.result.errors[0].message, /zTXt chunk "Comment"/);
  t.match(r.result.errors[1].message, /iCCP chunk "icc"/);
});

t.test('a compressed chunk that is not valid zlib is CORRUPT_FILE with a sentence', async (t) => {
  const bad = await write('bad-ztxt.png', await pngWith([{ type: 'zTXt', data: Buffer.from('Comment\0\0not zlib at all', 'latin1') }]));
  const r = await client.call('asset.process', { paths: [bad] });
  t.equal(r.result.errors[0]?.code, 'CORRUPT_FILE');
  t.match(r.result.errors[0]?.message, /bad-ztxt\.png: its compressed zTXt chunk "Comment" cannot be inflated/);
});

t.test('ordinary compressed metadata under the cap is processed and stamped', async (t) => {
  // 1 MiB of text, compressed: well under the cap.
  const ok = await write('notes.png', await pngWith([{ type: 'zTXt', data: Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), zlib.deflateSync(Buffer.alloc(1 << 20, 0x41))]) }]));
  const r = await client.call('asset.process', { paths: [ok], source: 'f12' });
  t.same(r.result.errors, []);
  t.equal(r.result.results[0]?.outputs.find((o: { purpose: string }) => o.purpose === 'master')?.metadata, 'embedded');
});

t.test('a JPEG whose extended XMP claims 2 GiB is TOO_LARGE before exiftool assembles it', async (t) => {
  const j = await write('ext-xmp.jpg', await jpegWithExtendedXmp(2 * GiB, 3));
  const r = await client.call('asset.process', { paths: [j] });
  t.equal(r.result.errors[0]?.code, 'TOO_LARGE');
  t.match(r.result.errors[0]?.message, /ext-xmp\.jpg: its extended XMP packet is 2048 MiB/);
});

t.test('many metadata segments that add up past the total cap are TOO_LARGE', async (t) => {
  // Lowered in the profile for the test (limits.metadata): 6 × 65 KB of APP1 breaks it.
  const config = path.join(home, 'config.json');
  const saved = await fs.readFile(config, 'utf8');
  await fs.writeFile(config, JSON.stringify({ ...JSON.parse(saved), limits: { metadata: { maxTotalBytes: 256 * 1024 } } }));
  t.teardown(() => fs.writeFile(config, saved));
  const j = await write('many-app1.jpg', await jpegWithExtendedXmp(6 * 65000, 6));
  const r = await client.call('asset.process', { paths: [j] });
  t.equal(r.result.errors[0]?.code, 'TOO_LARGE');
  t.match(r.result.errors[0]?.message, /adds up to more than/);
});

t.test('a JPEG with no scan data claiming 16384² is CORRUPT_FILE (issue 12.14)', async (t) => {
  const a = await write('no-scan.jpg', await jpegWithoutScan(16384, false));
  const b = await write('empty-scan.jpg', await jpegWithoutScan(16384, true));
  t.ok((await fs.stat(a)).size < 1024, 'a tiny file');
  const r = await client.call('asset.process', { paths: [a, b] });
  t.same(r.result.errors.map((e: { code: string }) => e.code), ['CORRUPT_FILE', 'CORRUPT_FILE'], JSON.stringify(r.result));
  t.match(r.result.errors[0].message, /no-scan\.jpg is a JPEG with no picture data/);
});

t.test('the CLI refuses a bomb at once with exit 1', async (t) => {
  const bomb = await write('cli-bomb.png', await pngWith([itxtXmpBomb(GiB)]));
  const r = await colophon(home, ['process', '--json', '--no-ledger', '--out', path.join(home, 'cli-out'), bomb], 60_000);
  t.notOk(r.timedOut);
  t.equal(r.code, 1, r.stderr);
  t.equal(JSON.parse(r.stdout).errors[0].code, 'TOO_LARGE');
});
