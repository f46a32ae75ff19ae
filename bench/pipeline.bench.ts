// Core pipeline throughput. Baseline: the same images through a bare sharp decode → resize → JPEG, measured in
// the same run, so the ratio shows what classification, stamping, verification, hashing and the ledger cost.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseProfile } from '../server/config.ts';
import { Ledger } from '../server/ledger/ledger.ts';
import { resolvePaths } from '../server/paths.ts';
import { closeExifTool } from '../server/pipeline/exiftool.ts';
import { processPaths } from '../server/pipeline/process.ts';

const COUNT = Number(process.env.BENCH_FILES ?? 40);
const SIZE = [1920, 1080] as const;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-bench-'));
const inDir = path.join(home, 'in');
await fs.mkdir(inDir);
for (let i = 0; i < COUNT; i++) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE[0]}" height="${SIZE[1]}"><rect width="100%" height="100%" fill="hsl(${i * 9},60%,50%)"/><circle cx="${200 + i * 30}" cy="500" r="300" fill="#fff"/></svg>`;
  await sharp(Buffer.from(svg)).png().toFile(path.join(inDir, `render_${String(i).padStart(3, '0')}.png`));
}
const files = (await fs.readdir(inDir)).map((f) => path.join(inDir, f));
const totalBytes = (await Promise.all(files.map((f) => fs.stat(f)))).reduce((s, st) => s + st.size, 0);

const t0 = performance.now();
await Promise.all(files.map((f) => sharp(f).resize(1600, 1600, { fit: 'inside' }).jpeg({ quality: 82, mozjpeg: true }).toBuffer()));
const baselineMs = performance.now() - t0;

const paths = resolvePaths({ COLOPHON_HOME: home });
const { profile } = parseProfile({ creator: { name: 'Bench Artist' } }, 'bench', paths);
const env = { profile, outRoot: path.join(home, 'out'), ledger: new Ledger(paths.ledger), configDir: paths.configDir };
const t1 = performance.now();
const first = await processPaths(files, { source: 'cli' }, env);
const firstMs = performance.now() - t1;
const t2 = performance.now();
const second = await processPaths(files, { source: 'cli' }, env);
const secondMs = performance.now() - t2;
clearInterval(sampler);
await closeExifTool();

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`files: ${COUNT} PNG renders ${SIZE[0]}×${SIZE[1]}, ${(totalBytes / 1e6).toFixed(1)} MB`);
console.log(`baseline (sharp resize+JPEG only): ${fmt(baselineMs)}  ${(COUNT / (baselineMs / 1000)).toFixed(1)} files/s`);
console.log(`pipeline, first run:  ${fmt(firstMs)}  ${(COUNT / (firstMs / 1000)).toFixed(1)} files/s  ${(totalBytes / 1e6 / (firstMs / 1000)).toFixed(1)} MB/s  ratio vs baseline ${(firstMs / baselineMs).toFixed(2)}×`);
console.log(`pipeline, repeat run: ${fmt(secondMs)}  ${(COUNT / (secondMs / 1000)).toFixed(1)} files/s  speed-up over first ${(firstMs / secondMs).toFixed(1)}×`);
console.log(`errors: ${first.errors.length + second.errors.length}; peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);
await benchSigning();
await fs.rm(home, { recursive: true, force: true });
if (first.errors.length + second.errors.length > 0) process.exitCode = 1;

/**
 * Content Credentials: the signing step alone on unsigned copies of the same inputs (PNG masters) and of their
 * JPEG previews, against the whole pipeline's time per file measured above.
 */
async function benchSigning(): Promise<void> {
  const { signOutput } = await import('../server/c2pa/sign.ts');
  const { rightsFromProfile } = await import('../server/pipeline/stamp.ts');
  const rights = rightsFromProfile(profile, 'digitalCreation');
  const dir = path.join(home, 'sign');
  await fs.mkdir(dir);
  const time = async (format: 'png' | 'jpeg', make: (f: string, i: number) => Promise<void>): Promise<number> => {
    const copies: string[] = [];
    for (let i = 0; i < files.length; i++) {
      const f = path.join(dir, `f${i}.${format === 'png' ? 'png' : 'jpg'}`);
      await make(f, i);
      copies.push(f);
    }
    const t = performance.now();
    for (const f of copies) await signOutput({ file: f, dest: f, format, role: 'master', rights }, { profile, configDir: paths.configDir });
    return (performance.now() - t) / copies.length;
  };
  const masterMs = await time('png', (f, i) => fs.copyFile(files[i]!, f));
  const previewMs = await time('jpeg', async (f, i) => void (await sharp(files[i]!).resize(1600, 1600, { fit: 'inside' }).jpeg({ quality: 82 }).toFile(f)));
  const perFile = firstMs / COUNT;
  console.log(`C2PA signing per file: PNG master ${masterMs.toFixed(1)} ms, JPEG preview ${previewMs.toFixed(1)} ms; ` +
    `master+preview ${((masterMs + previewMs) / perFile * 100).toFixed(1)}% of the pipeline's ${perFile.toFixed(0)} ms per file`);
}
