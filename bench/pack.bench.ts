// Pack throughput on a generated pack of 500 small files: first run (the baseline) against a second
// run over the same pack, which reuses results by content hash. Prints files/s, MB/s and peak RSS.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { closeExifTool } from '../server/pipeline/exiftool.ts';
import { runPack } from '../server/pack/run.ts';
import { openServices } from '../server/services.ts';

const FILES = 500;
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-pack-bench-'));
const pack = path.join(root, 'BenchPack');
let bytes = 0;
for (let i = 0; i < FILES; i++) {
  const kind = i % 5;
  const name = kind === 0 ? `renders/shot_${i}.jpg` : kind === 4 ? `docs/note_${i}.txt` : `textures/Mat${Math.floor(i / 5)}_${['', 'BaseColor', 'Normal', 'Roughness'][kind]}.png`;
  const file = path.join(pack, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  if (kind === 4) await fs.writeFile(file, `note ${i}\n`.repeat(50));
  else {
    // Noise, so files have realistic (incompressible) sizes for the MB/s figure.
    const raw = Buffer.alloc(160 * 120 * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (p * 2654435761 + i * 40503) >>> 24;
    const img = sharp(raw, { raw: { width: 160, height: 120, channels: 3 } });
    await (kind === 0 ? img.jpeg() : img.png()).toFile(file);
  }
  bytes += (await fs.stat(file)).size;
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
await fs.mkdir(services.paths.dataDir, { recursive: true });
const env = { profile: services.profile, ledger: services.ledger };

async function run(label: string): Promise<number> {
  const t0 = performance.now();
  const r = await runPack(pack, { outDir: path.join(root, 'out'), market: 'generic', env, blender: null });
  const s = (performance.now() - t0) / 1000;
  const summary = r.report.summary as { processed: number; reused: number; failed: number };
  console.log(`${label}: ${s.toFixed(2)} s  ${(FILES / s).toFixed(1)} files/s  ${(bytes / 1024 ** 2 / s).toFixed(2)} MB/s  (processed ${summary.processed}, reused ${summary.reused}, failed ${summary.failed})`);
  return s;
}

try {
  console.log(`pack of ${FILES} files, ${(bytes / 1024 ** 2).toFixed(1)} MB, concurrency 2`);
  const first = await run('first run (baseline)');
  const second = await run('second run (reuse) ');
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`peak RSS: ${(peak / 1024 ** 2).toFixed(0)} MB`);
  console.log(`speed-up of the second run over the first: ${(first / second).toFixed(1)}x`);
} finally {
  clearInterval(sampler);
  await services.close();
  await closeExifTool();
  await fs.rm(root, { recursive: true, force: true });
}
