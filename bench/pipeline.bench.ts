// Core pipeline throughput. Baseline: the same images through a bare sharp decode → resize → JPEG, measured in
// the same run, so the ratio shows what classification, stamping, verification, hashing and the ledger cost.
// Then EXR decoding: the same picture in-process (parse-exr, the baseline) and through the fallback processes
// (oiiotool for B44, multi-part, deep and MultiLayer channels; vips for luminance-chroma).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseProfile } from '../server/config.ts';
import { Ledger } from '../server/ledger/ledger.ts';
import { resolvePaths } from '../server/paths.ts';
import { decodeExrPicture } from '../server/pipeline/decode/exr.ts';
import { closeExifTool } from '../server/pipeline/exiftool.ts';
import { readExrHeader } from '../server/pipeline/exr-header.ts';
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

const exrFailed = await benchExr(path.join(home, 'exr'));
await benchSigning();
await fs.rm(home, { recursive: true, force: true });
if (first.errors.length + second.errors.length + exrFailed > 0) process.exitCode = 1;

/** Decode time per EXR layout for one 1920×1080 RGBA half-float picture; ratio against parse-exr in-process. */
async function benchExr(dir: string): Promise<number> {
  await fs.mkdir(dir);
  const oiio = (...args: string[]) => execFileSync('oiiotool', args, { stdio: 'pipe' });
  const base = path.join(dir, 'zip.exr');
  try {
    oiio('--pattern', 'fill:topleft=0,0,0,1:topright=4,0.5,0,1:bottomleft=0,0.3,1,1:bottomright=1,1,1,1', '1920x1080', '4', '-d', 'half', '--compression', 'zip', '-o', base);
  } catch {
    console.log('EXR decoding: oiiotool is not installed (Debian openimageio-tools); skipped');
    return 1;
  }
  const ml = (n: string) => `ViewLayer.Combined.${n}`;
  const cases: Array<[string, string]> = [['scanline ZIP, in-process (baseline)', base]];
  const add = (label: string, name: string, ...args: string[]) => {
    const f = path.join(dir, name);
    oiio(...args, '-o', f);
    cases.push([label, f]);
  };
  add('B44 → oiiotool', 'b44.exr', base, '--compression', 'b44');
  add('multi-part (2 parts) → oiiotool', 'multipart.exr', base, base, '--siappend');
  add('Blender MultiLayer channels → oiiotool', 'multilayer.exr', base, '--chnames', [ml('R'), ml('G'), ml('B'), ml('A')].join(','));
  // oiiotool cannot write deep or luminance-chroma files: the OpenEXR project's samples stand in when present.
  const fixture = (n: string) => path.resolve(import.meta.dirname, '../../shared/fixtures/exr', n);
  for (const [label, name] of [['deep (Trunks.exr, 1024×576) → oiiotool --flatten', 'Trunks.exr'], ['luminance-chroma B44 (Flowers.exr, 784×734) → vips', 'Flowers.exr']] as const) {
    if (await fs.stat(fixture(name)).then(() => true, () => false)) cases.push([label, fixture(name)]);
  }
  let baseMs = 0;
  let failed = 0;
  console.log('EXR decoding (median of 3 runs each):');
  for (const [label, file] of cases) {
    const info = await readExrHeader(file);
    const times: number[] = [];
    let decoder = '';
    try {
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const d = await decodeExrPicture(file, info);
        times.push(performance.now() - t);
        decoder = d.decoder;
      }
    } catch (err) {
      console.log(`  ${label}: FAILED ${(err as Error).message}`);
      failed++;
      continue;
    }
    const ms = times.sort((a, b) => a - b)[1]!;
    if (baseMs === 0) baseMs = ms;
    const mpx = (info.width * info.height) / 1e6;
    console.log(`  ${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  ${(mpx / (ms / 1000)).toFixed(1).padStart(6)} Mpx/s  via ${decoder.padEnd(9)} ratio vs baseline ${(ms / baseMs).toFixed(2)}×`);
  }
  return failed;
}

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
