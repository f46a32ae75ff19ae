// Load test of the daemon: N concurrent WebSocket clients × M `asset.process` requests on small generated
// images, against a real `colophon serve` child process. Baseline, measured in the same run: the same
// work through processPaths in-process with the same concurrency. Also the median latency of one
// 1920×1080 16-bit PNG on a warm daemon (target: under 400 ms on a 2-core machine), and how long another
// client's session.hello takes while a pack job runs (target: p99 ≤ 100 ms, max ≤ 250 ms; baseline: the same
// round trip on the idle daemon). BENCH_ONLY=pack runs only that part; BENCH_CPU_PROF=dir profiles the daemon.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadProfile } from '../server/config.ts';
import { defaultConcurrency } from '../server/daemon/jobs.ts';
import { Ledger } from '../server/ledger/ledger.ts';
import { resolvePaths } from '../server/paths.ts';
import { closeExifTool } from '../server/pipeline/exiftool.ts';
import { processPaths } from '../server/pipeline/process.ts';
import { RpcClient } from '../test/daemon/helpers.ts';
import { makeImages } from '../test/daemon/images.ts';
import { openTabs } from '../test/dashboard/tabs.ts';
import { peakRssMiB, png16, startServe as serve, type Served } from './lib/serve.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 20);
const TOTAL = CLIENTS * PER_CLIENT;
/** Dashboard tabs held open (live event streams) during the load, e.g. BENCH_DASHBOARD=2. */
const DASHBOARD_TABS = Number(process.env.BENCH_DASHBOARD ?? 0);
const repo = path.resolve(import.meta.dirname, '..');

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;

const scratch: string[] = [];
/** Daemons to stop even when the bench fails half-way. */
const running: Array<() => Promise<void>> = [];

async function home(name: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `colophon-bench-${name}-`));
  scratch.push(dir);
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ creator: { name: 'Bench Artist' } }));
  return dir;
}

async function startServe(dir: string): Promise<Served> {
  const prof = process.env.BENCH_CPU_PROF != null ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const served = await serve(dir, prof);
  running.push(served.stop);
  return served;
}

async function baseline(images: string[], concurrency: number): Promise<number> {
  const dir = await home('baseline');
  const paths = resolvePaths({ COLOPHON_HOME: dir });
  const { profile } = await loadProfile(paths);
  const env = { profile, outRoot: profile.output.root, ledger: new Ledger(paths.ledger) };
  const queue = [...images];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let f = queue.shift(); f != null; f = queue.shift()) {
      const r = await processPaths([f], { source: 'cli' }, env);
      if (r.errors.length > 0) throw new Error(`baseline failed: ${r.errors[0]!.message}`);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await closeExifTool();
  return images.length / seconds;
}

/** A pack folder like a real kit: large renders, texture maps, EXRs, a .blend, a photo and notes. */
async function makePack(dir: string): Promise<number> {
  const fixtures = path.resolve(repo, '..', 'shared', 'fixtures');
  const put = async (rel: string, write: (file: string) => Promise<unknown>) => {
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await write(file);
  };
  const noise = (w: number, h: number, seed: number) => {
    const raw = Buffer.alloc(w * h * 3);
    let s = seed * 2654435761;
    for (let i = 0; i < raw.length; i++) raw[i] = ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) & 0xff;
    return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  };
  for (let i = 0; i < 6; i++) await put(`renders/shot_${i}.png`, (f) => noise(2048, 2048, i).png().toFile(f));
  for (let i = 0; i < 6; i++) await put(`textures/Wood_${['BaseColor', 'Normal', 'Roughness'][i % 3]}_${i}.png`, (f) => noise(1024, 1024, 100 + i).png().toFile(f));
  for (const exr of ['Carrots.exr', 'Flowers.exr', 'Trunks.exr', 'multipart.0001.exr']) await put(`exr/${exr}`, (f) => fs.copyFile(path.join(fixtures, 'exr', exr), f));
  await put('scene.blend', (f) => fs.copyFile(path.join(fixtures, 'blend', 'basic_file.blend'), f));
  await put('photos/Canon_40D.jpg', (f) => fs.copyFile(path.join(fixtures, 'photos', 'Canon_40D.jpg'), f));
  await put('docs/readme.txt', (f) => fs.writeFile(f, 'Wood kit\n'.repeat(200)));
  return 6 + 6 + 4 + 3;
}

/** session.hello round trips on `probe`, back to back with a 20 ms pause, until `done` settles. */
async function helloRoundTrips(probe: RpcClient, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => (finished = true));
  const rtts: number[] = [];
  while (!finished) {
    const start = performance.now();
    const r = await probe.call('session.hello', { protocol: 1, client: { name: 'bench-probe', version: '1' } });
    rtts.push(performance.now() - start);
    if (r.error != null) throw new Error(`session.hello failed: ${r.error.message}`);
    await new Promise((res) => setTimeout(res, 20));
  }
  return rtts;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${ms(pct(s, 50))}  p99 ${ms(pct(s, 99))}  max ${ms(s.at(-1) ?? 0)}  (${s.length} round trips)`;
};

/** Another client's session.hello while one client runs a pack job, against the idle daemon's. */
async function packResponsiveness(): Promise<boolean> {
  const packDir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-bench-pack-'));
  scratch.push(packDir);
  process.stderr.write('pack responsiveness: generating the pack…\n');
  const files = await makePack(path.join(packDir, 'WoodKit'));
  const d = await startServe(await home('pack'));
  const headers = { authorization: `Bearer ${d.token}` };
  const [worker, probe] = await Promise.all([RpcClient.connect(d.url, headers), RpcClient.connect(d.url, headers)]);
  const idle = await helloRoundTrips(probe, new Promise((r) => setTimeout(r, 2000)));
  const t0 = performance.now();
  const started = await worker.call('pack.process', { path: path.join(packDir, 'WoodKit') });
  if (started.error != null) throw new Error(`pack.process failed: ${started.error.message}`);
  const jobId = started.result.jobId as string;
  const finished = worker.until(() => worker.notes.some((n) => n.method === 'job.finished' && n.params.jobId === jobId), 600_000);
  const busy = await helloRoundTrips(probe, finished);
  const seconds = (performance.now() - t0) / 1000;
  const outcome = worker.notes.find((n) => n.method === 'job.finished')!.params;
  await Promise.all([worker.close(), probe.close()]);
  await d.stop();
  const s = [...busy].sort((a, b) => a - b);
  const p99 = pct(s, 99);
  const max = s.at(-1) ?? 0;
  console.log(`pack responsiveness: another client's session.hello while a pack of ${files} files runs (${seconds.toFixed(1)} s, ${outcome.error != null ? `FAILED: ${outcome.error.message}` : 'ok'})`);
  console.log(`  idle daemon (baseline)  ${stats(idle)}`);
  console.log(`  during the pack         ${stats(busy)}`);
  console.log(`  p99 ratio busy / idle   ${(p99 / Math.max(pct([...idle].sort((a, b) => a - b), 99), 0.001)).toFixed(1)}×`);
  console.log(`  target p99 ≤ 100 ms, max ≤ 250 ms: ${p99 <= 100 && max <= 250 ? 'met' : 'NOT met'}`);
  return outcome.error == null;
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'pack') {
    if (!(await packResponsiveness())) process.exitCode = 1;
    return;
  }
  const imgDir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-bench-img-'));
  scratch.push(imgDir);
  process.stderr.write(`generating ${TOTAL * 2} small images…\n`);
  const forDaemon = await makeImages(imgDir, TOTAL, 96, 'd');
  const forBaseline = await makeImages(imgDir, TOTAL, 96, 'b');
  const concurrency = defaultConcurrency();
  const loadBefore = os.loadavg()[0]!;

  process.stderr.write('baseline: processPaths in-process…\n');
  const baseRate = await baseline(forBaseline, concurrency);

  const dir = await home('daemon');
  const d = await startServe(dir);
  const tabs = DASHBOARD_TABS > 0 ? await openTabs(d.url, d.token, DASHBOARD_TABS) : null;
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => RpcClient.connect(d.url, { authorization: `Bearer ${d.token}` })));
  const latencies: number[] = [];
  let busy = 0;
  let failed = 0;
  process.stderr.write(`daemon: ${CLIENTS} clients × ${PER_CLIENT} asset.process…\n`);
  const t0 = performance.now();
  await Promise.all(clients.map(async (c, ci) => {
    for (let k = 0; k < PER_CLIENT; k++) {
      const start = performance.now();
      const r = await c.call('asset.process', { paths: [forDaemon[ci * PER_CLIENT + k]!] });
      latencies.push(performance.now() - start);
      if (r.error?.data?.key === 'BUSY') busy++;
      else if (r.error != null || r.result.errors.length > 0) failed++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 300)); // any duplicate reply would arrive now
  const answers = clients.flatMap((c) => [...c.replyCount.values()]);
  const exactlyOnce = answers.length === TOTAL && answers.every((n) => n === 1);
  await Promise.all(clients.map((c) => c.close()));

  // Warm daemon, one client, 1920×1080 16-bit PNGs one after another (the first one only warms up).
  const big: number[] = [];
  const solo = await RpcClient.connect(d.url, { authorization: `Bearer ${d.token}` });
  for (let i = 0; i < 8; i++) {
    const f = path.join(imgDir, `hd16-${i}.png`);
    await png16(f, i);
    const start = performance.now();
    const r = await solo.call('asset.process', { paths: [f] });
    if (r.error != null || r.result.errors.length > 0) throw new Error(`16-bit PNG failed: ${JSON.stringify(r.error ?? r.result.errors)}`);
    if (i > 0) big.push(performance.now() - start);
  }
  await solo.close();
  const rss = await peakRssMiB(d.pid);
  tabs?.close();
  await d.stop();

  const sorted = [...latencies].sort((a, b) => a - b);
  const rate = TOTAL / seconds;
  const bigSorted = [...big].sort((a, b) => a - b);
  console.log(`daemon load test: ${CLIENTS} clients × ${PER_CLIENT} asset.process (96 px PNGs), job concurrency ${concurrency}`);
  console.log(`  throughput           ${rate.toFixed(1)} req/s  (${TOTAL} requests in ${seconds.toFixed(1)} s)`);
  console.log(`  latency p50 / p99    ${ms(pct(sorted, 50))} / ${ms(pct(sorted, 99))}   (includes queueing behind ${CLIENTS - 1} other clients)`);
  console.log(`  daemon peak RSS      ${rss.toFixed(0)} MiB`);
  console.log(`  answers              ${answers.length} for ${TOTAL} requests; exactly one each: ${exactlyOnce ? 'yes' : 'NO'}; BUSY ${busy}; failed ${failed}`);
  console.log(`  baseline (in-process processPaths, same concurrency)  ${baseRate.toFixed(1)} files/s`);
  console.log(`  ratio daemon / baseline  ${(rate / baseRate).toFixed(2)}×`);
  console.log(`  1920×1080 16-bit PNG, warm daemon: median ${ms(pct(bigSorted, 50))} over ${big.length} (min ${ms(bigSorted[0]!)}, max ${ms(bigSorted.at(-1)!)}); target < 400 ms`);
  if (tabs != null) console.log(`  dashboard tabs open   ${DASHBOARD_TABS}, events received: ${JSON.stringify(tabs.counts)}`);
  console.log(`  machine load average (1 min): ${loadBefore.toFixed(1)} at start, ${os.loadavg()[0]!.toFixed(1)} at end, on ${os.availableParallelism()} cores`);
  if (!exactlyOnce || failed > 0) process.exitCode = 1;
  console.log();
  if (!(await packResponsiveness())) process.exitCode = 1;
}

try {
  await main();
} finally {
  for (const stop of running) await stop();
  for (const dir of scratch) await fs.rm(dir, { recursive: true, force: true });
}
