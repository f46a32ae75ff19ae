// Fault sweep (issue 12): every damaged EXR in ../shared/fixtures/exr plus damaged copies of the good ones,
// generated bad images, zip bombs and bad .blend files through the real pipeline and pack, and kill -9 of a CLI
// `pack` at random points followed by a recovery run. Prints "tried / held" per area; exit 1 if anything did not hold.
// "Held" means: a result, or a Failure with a stable key other than INTERNAL and no raw JS error text; for bombs,
// refused with nothing extracted; for kill -9, the recovery run succeeds with the same zip as a clean run, the
// ledger verifies and no temp file is left. Bounded: about 2–4 minutes on 2 cores (FAULT_KILLS changes the 20).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Ledger } from '../server/ledger/ledger.ts';
import { runPack } from '../server/pack/run.ts';
import { closeExifTool } from '../server/pipeline/exiftool.ts';
import { processPaths } from '../server/pipeline/process.ts';
import { openServices } from '../server/services.ts';
import { badBlends, hugeClaimingJpeg, hugeClaimingPng, truncated, zeroBomb } from '../test/pack/bad-files.ts';
import { rawZip } from '../test/pack/helpers.ts';

const repo = path.resolve(import.meta.dirname, '..');
const fixtures = path.resolve(repo, '..', 'shared', 'fixtures');
const bin = path.join(repo, 'bin', 'colophon.js');
const KILLS = Number(process.env.FAULT_KILLS ?? 20);

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-faults-'));
const home = path.join(root, 'home');
const services = await openServices({ COLOPHON_HOME: home });
const env = { profile: services.profile, outRoot: path.join(root, 'out'), ledger: services.ledger };
const tally = new Map<string, { tried: number; held: number; notes: string[] }>();
const RAW_ERROR = /Cannot read properties|is not a function|undefined|ENOSPC|ENOENT|EACCES|\(Unknown error\)/;

function count(area: string, held: boolean, note: string): void {
  const a = tally.get(area) ?? { tried: 0, held: 0, notes: [] };
  a.tried++;
  if (held) a.held++;
  else a.notes.push(note);
  tally.set(area, a);
}

/** Runs files through processPaths one by one (each must come back as a result or a clear Failure). */
async function sweep(area: string, files: string[]): Promise<void> {
  for (const f of files) {
    try {
      const r = await processPaths([f], { source: 'cli' }, env);
      const e = r.errors[0];
      const held = r.results.length + r.errors.length === 1 && (e == null || (e.code !== 'INTERNAL' && !RAW_ERROR.test(e.message)));
      count(area, held, `${path.basename(f)}: ${e != null ? `${e.code} ${e.message}` : 'no answer'}`);
    } catch (err) {
      count(area, false, `${path.basename(f)}: threw ${(err as Error).message}`);
    }
  }
}

const t0 = performance.now();
const bad = path.join(root, 'bad');
await fs.mkdir(bad, { recursive: true });

// 1. EXR: the damaged fixtures as they are, and every good one cut at three points and with bytes overwritten.
const exrDir = path.join(fixtures, 'exr');
const exrs = (await fs.readdir(exrDir)).filter((n) => n.endsWith('.exr')).map((n) => path.join(exrDir, n));
const exrInputs = [...exrs];
for (const f of exrs.filter((x) => !path.basename(x).startsWith('damaged'))) {
  const stem = path.basename(f, '.exr');
  for (const frac of [0.02, 0.3, 0.8]) exrInputs.push(await truncated(f, path.join(bad, `${stem}-cut${frac}.exr`), frac));
  const buf = Buffer.from(await fs.readFile(f));
  for (let i = 0; i < 64; i++) {
    const at = (i * 2654435761) % Math.min(buf.length, 4096); // the header and the offset table
    buf[at] = buf[at]! ^ 0xff;
  }
  const flipped = path.join(bad, `${stem}-flipped.exr`);
  await fs.writeFile(flipped, buf);
  exrInputs.push(flipped);
}
await sweep('damaged EXR', exrInputs);

// 2. Images: truncated, empty, mislabelled, and headers claiming huge pictures.
const png = path.join(bad, 'good.png');
await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toFile(png);
const jpg = path.join(bad, 'good.jpg');
await sharp(png).jpeg().toFile(jpg);
const images = [
  await truncated(png, path.join(bad, 'cut.png'), 0.5),
  await truncated(jpg, path.join(bad, 'cut.jpg'), 0.5),
  await truncated(jpg, path.join(bad, 'cut-early.jpg'), 0.05),
];
for (const [name, data] of [
  ['empty.png', Buffer.alloc(0)], ['text.png', Buffer.from('not a picture\n')], ['jpeg-named.png', await fs.readFile(jpg)],
  ['png-named.tif', await fs.readFile(png)], ['huge-claim.jpg', hugeClaimingJpeg()], ['huge-claim.png', hugeClaimingPng()],
] as Array<[string, Buffer]>) {
  await fs.writeFile(path.join(bad, name), data);
  images.push(path.join(bad, name));
}
await sweep('bad images', images);

// 3. .blend: the corrupt fixture and generated ones.
const blendFixture = path.join(fixtures, 'blend', 'corrupt_only_magic.blend');
await sweep('bad .blend', [...(await fs.stat(blendFixture).then(() => [blendFixture]).catch(() => [])), ...(await badBlends(path.join(bad, 'blend')))]);

// 4. Zip bombs and broken zips through pack: refused, nothing extracted.
const zips: Array<[string, () => Promise<void>]> = [
  ['zeros-1MiB.zip', () => zeroBomb(path.join(bad, 'zeros-1MiB.zip'), 3000)],
  ['zeros-under-1MiB.zip', () => zeroBomb(path.join(bad, 'zeros-under-1MiB.zip'), 3000, 1024 ** 2 - 1)],
  ['lying-size.zip', () => rawZip(path.join(bad, 'lying-size.zip'), [{ name: 'a.bin', data: Buffer.alloc(1000), declaredSize: 4_000_000_000 }])],
  ['lying-count.zip', () => rawZip(path.join(bad, 'lying-count.zip'), [{ name: 'a.txt', data: Buffer.from('a') }], 60_000)],
  ['cut.zip', async () => {
    await zeroBomb(path.join(bad, 'whole.zip'), 3, 1000);
    await truncated(path.join(bad, 'whole.zip'), path.join(bad, 'cut.zip'), 0.6);
  }],
];
for (const [name, make] of zips) {
  await make();
  const out = path.join(root, 'zip-out');
  try {
    await runPack(path.join(bad, name), { outDir: out, market: 'generic', env: { profile: env.profile, ledger: null }, blender: null });
    count('zip bombs / broken zips', false, `${name}: accepted`);
  } catch (err) {
    const key = (err as { key?: string }).key;
    const staged = await fs.readdir(path.join(out, path.basename(name, '.zip'), '.colophon-work', 'input'), { recursive: true }).catch(() => []);
    count('zip bombs / broken zips', (key === 'UNSAFE_ARCHIVE' || key === 'CORRUPT_FILE') && staged.length === 0, `${name}: ${key} ${(err as Error).message}; ${staged.length} extracted`);
  }
}
await closeExifTool();

// 5. kill -9 of `colophon pack` at random points, then a recovery run into the same folder.
const pack = path.join(root, 'KillPack');
for (let i = 0; i < 8; i++) {
  const img = sharp({ create: { width: 640, height: 400, channels: 3, background: { r: i * 30, g: 80, b: 200 - i * 20 } } });
  await fs.mkdir(path.join(pack, 'renders'), { recursive: true });
  await img.png().toFile(path.join(pack, 'renders', `shot_${i}.png`));
}
async function cliPack(out: string, killAfterMs?: number): Promise<{ code: number | null; json: any; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'pack', pack, '--out', out, '--json'], { env: { ...process.env, COLOPHON_HOME: home }, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const timer = killAfterMs != null ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : null;
  const [code] = (await once(child, 'close')) as [number | null];
  if (timer) clearTimeout(timer);
  let json: any = null;
  try {
    json = JSON.parse(stdout);
  } catch {
    // killed before it printed
  }
  return { code, json, ms: performance.now() - started };
}
const clean = await cliPack(path.join(root, 'kill-clean'));
const cleanZip = clean.json?.archive?.sha256 as string | undefined;
for (let k = 0; k < KILLS; k++) {
  const out = path.join(root, `kill-${k}`);
  const at = 300 + Math.random() * Math.max(500, clean.ms);
  await cliPack(out, at);
  const rec = await cliPack(out);
  const temps = (await fs.readdir(out, { recursive: true }).catch(() => [] as string[])).filter((n) => /\.[0-9a-f]{12}\.tmp/.test(String(n)));
  const v = await new Ledger(services.paths.ledger).verify();
  const held = rec.code === 0 && rec.json?.archive?.sha256 === cleanZip && v.ok && temps.length === 0;
  count('kill -9 of CLI pack + recovery', held, `killed at ${at.toFixed(0)} ms: recovery exit ${rec.code}, zip ${rec.json?.archive?.sha256 === cleanZip ? 'same' : 'different'}, ledger ${v.ok ? 'ok' : v.problem}, ${temps.length} temp file(s)`);
  await fs.rm(out, { recursive: true, force: true });
}

let failed = 0;
for (const [area, a] of tally) {
  console.log(`${area.padEnd(34)} tried ${String(a.tried).padStart(3)} / held ${String(a.held).padStart(3)}`);
  for (const n of a.notes.slice(0, 5)) console.log(`    did not hold: ${n}`);
  failed += a.tried - a.held;
}
console.log(`clean pack run (the kill baseline): ${(clean.ms / 1000).toFixed(1)} s; whole sweep ${((performance.now() - t0) / 1000).toFixed(0)} s`);
await fs.rm(root, { recursive: true, force: true });
process.exitCode = failed === 0 ? 0 : 1;
