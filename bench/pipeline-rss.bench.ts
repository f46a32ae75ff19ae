// Peak RSS of `colophon process` as the number of files grows (issue 11: flat, ≤ 600 MB at 500 files).
// BENCH_RSS_FILES (default 500) render-like 960×540 PNGs go through the CLI in one folder; the first tenth of
// them go through first as the baseline, so the two figures show whether memory grows with the count.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadNote, timeCommand, verdict } from './lib/measure.ts';
import { makeRenderSet } from './lib/renders.ts';

const COUNT = Number(process.env.BENCH_RSS_FILES ?? 500);
const SMALL = Math.max(1, Math.round(COUNT / 10));
const CLI = path.resolve(import.meta.dirname, '..', 'bin', 'colophon.js');

const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-bench-rss-'));
try {
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Bench Artist' } }));
  process.stderr.write(`generating ${COUNT} render-like 960×540 PNGs…\n`);
  const files = await makeRenderSet(path.join(home, 'all'), COUNT, 960, 540);
  const fewDir = path.join(home, 'few');
  await fs.mkdir(fewDir);
  for (const f of files.slice(0, SMALL)) await fs.link(f, path.join(fewDir, path.basename(f)));
  const env = { ...process.env, COLOPHON_HOME: home };
  const run = (dir: string, out: string) => {
    const m = timeCommand(process.execPath, [CLI, 'process', dir, '--out', path.join(home, out)], { env });
    if (m.status !== 0) throw new Error(`colophon process ${dir} failed (exit ${m.status}): ${m.stderr.trim().slice(-2000)}`);
    return m;
  };
  process.stderr.write(`colophon process, ${SMALL} files…\n`);
  const few = run(fewDir, 'out-few');
  process.stderr.write(`colophon process, ${COUNT} files…\n`);
  const all = run(path.join(home, 'all'), 'out-all');
  const line = (n: number, m: typeof few) =>
    console.log(`  ${String(n).padStart(4)} files: peak RSS ${m.peakRssMB.toFixed(0).padStart(4)} MB, ${m.wallS.toFixed(1)} s, ${(m.cpuS / n).toFixed(3)} CPU-s/file  (${loadNote(m.load)})`);
  console.log(`colophon process on render-like 960×540 PNGs (peak RSS of the largest process, /usr/bin/time %M):`);
  line(SMALL, few);
  line(COUNT, all);
  console.log(`  growth ${SMALL} → ${COUNT} files: ${(all.peakRssMB / few.peakRssMB).toFixed(2)}×; target ≤ 600 MB at ${COUNT}: ${verdict(all.peakRssMB <= 600)}`);
} finally {
  await fs.rm(home, { recursive: true, force: true });
}
