// The same set through processPaths in a process that has already processed a file (sharp loaded, the ExifTool
// pool and the signing identity ready), the way renders reach the running daemon. Run as a child by
// pipeline.bench.ts so its peak RSS is its own: argv = home, output root, warm-up file, then the files.
// Prints one JSON line: { wallS, cpuS, peakRssMB, errors }.
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadProfile } from '../../server/config.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { resolvePaths } from '../../server/paths.ts';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import { processPaths } from '../../server/pipeline/process.ts';
import { tuneHeapForPipeline } from '../../server/util/heap.ts';
import { cpuSecondsWithDescendants } from './measure.ts';

// As the daemon (`colophon serve`) does at start.
tuneHeapForPipeline();
const [home, outRoot, warmup, ...files] = process.argv.slice(2);
if (home == null || outRoot == null || warmup == null || files.length === 0) throw new Error('usage: warm-process.ts home outRoot warmupFile files...');
const paths = resolvePaths({ COLOPHON_HOME: home });
const { profile } = await loadProfile(paths);
const env = { profile, outRoot, ledger: new Ledger(paths.ledger), configDir: paths.configDir };
const warm = await processPaths([warmup], { source: 'cli' }, { ...env, outRoot: path.join(outRoot, '..', 'warmup-out') });
if (warm.errors.length > 0) throw new Error(`warm-up failed: ${warm.errors[0]!.message}`);

const cpu0 = cpuSecondsWithDescendants();
const t0 = performance.now();
const report = await processPaths(files, { source: 'cli' }, env);
const wallS = (performance.now() - t0) / 1000;
const cpuS = cpuSecondsWithDescendants() - cpu0;
await closeExifTool();
const status = await fs.readFile('/proc/self/status', 'utf8');
const peakRssMB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
process.stdout.write(JSON.stringify({ wallS, cpuS, peakRssMB, errors: report.errors.map((e) => `${e.input}: ${e.message}`) }) + '\n');
