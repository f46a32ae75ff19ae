// Core pipeline against the two baselines issue 11 names, measured in one run on the same generated set
// (BENCH_FILES render-like 2048×2048 8-bit PNGs, default 20):
// - the stock-tool floor: two parallel vipsthumbnail (the profile's preview long edge and quality) + cp of the
//   original into a private folder + sha256sum of both outputs; no stamping at all;
// - the script an artist writes by hand: a bash for-loop of ImageMagick convert, one exiftool per file writing the
//   fields Colophon writes (stampTags) into the preview and the private copy, and sha256sum;
// - Colophon: `colophon process <folder> --out <dir>` (cold start included) and the same set through a warm
//   in-process processPaths (how renders arrive through the running daemon).
// Then CLI start-up, where the time goes inside Colophon for one file, an F12 render (1920×1080 16-bit PNG) on a
// warm daemon against the floor for that file, EXR decoding and C2PA signing. RSS at 500 files: pipeline-rss.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { currentBuild } from '../bin/compiled.js';
import type { Profile } from '../protocol/src/profile.ts';
import { loadProfile } from '../server/config.ts';
import { resolvePaths } from '../server/paths.ts';
import { decodeExrPicture } from '../server/pipeline/decode/exr.ts';
import { closeExifTool } from '../server/pipeline/exiftool.ts';
import { readExrHeader } from '../server/pipeline/exr-header.ts';
import { withPngXmp } from '../server/pipeline/png-xmp.ts';
import { rightsFromProfile, stampTags } from '../server/pipeline/stamp.ts';
import { RpcClient } from '../test/daemon/helpers.ts';
import { loadNote, median, timeCommand, verdict, type Measured } from './lib/measure.ts';
import { makeRenderSet } from './lib/renders.ts';
import { png16, startServe } from './lib/serve.ts';
import { stageBreakdown } from './lib/stages.ts';

const COUNT = Number(process.env.BENCH_FILES ?? 20);
const SIDE = 2048;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const repo = path.resolve(import.meta.dirname, '..');
const CLI = path.join(repo, 'bin', 'colophon.js');
/** The exiftool that exiftool-vendored ships (a Perl script), so the hand script needs nothing extra. */
const EXIFTOOL = path.join(repo, 'node_modules', 'exiftool-vendored.pl', 'bin', 'exiftool');

const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-bench-'));
let failed = 0;
try {
  await main();
} finally {
  await closeExifTool();
  await fs.rm(home, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;

async function main(): Promise<void> {
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Bench Artist' } }));
  const paths = resolvePaths({ COLOPHON_HOME: home });
  const { profile } = await loadProfile(paths);
  const { longEdge, quality } = profile.preview;

  process.stderr.write(`generating ${COUNT} render-like ${SIDE}×${SIDE} PNGs…\n`);
  const inDir = path.join(home, 'in');
  const files = await makeRenderSet(inDir, COUNT, SIDE, SIDE);
  const [warmup] = await makeRenderSet(path.join(home, 'warmup'), 1, 256, 256, 1000);
  const totalBytes = (await Promise.all(files.map((f) => fs.stat(f)))).reduce((s, st) => s + st.size, 0);
  const version = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
  console.log(`set: ${COUNT} generated ${SIDE}×${SIDE} 8-bit PNG renders (gradients, soft shapes, noise), ${(totalBytes / 1e6).toFixed(0)} MB`);
  console.log(`preview from the profile defaults: long edge ${longEdge} px, ${profile.preview.format} Q${quality}`);
  console.log(`tools: ${version('vipsthumbnail', ['--version'])}; ${version('convert', ['-version']).replace(/^Version: /, '')}; ` +
    `exiftool ${version('perl', [EXIFTOOL, '-ver'])} (the copy exiftool-vendored ships, run with perl)`);

  startup();

  // One untimed run of the CLI on a small file: the signing identity, the ledger and the kept stamp templates exist
  // from then on, as on any machine that has processed a file before. Then every input is read once so all runs find it cached.
  const pre = timeCommand(process.execPath, [CLI, 'process', warmup!, '--out', path.join(home, 'warmup-cli-out')], { env: cliEnv() });
  if (pre.status !== 0) throw new Error(`colophon process (warm-up) failed: ${pre.stderr}`);
  for (const f of files) await fs.readFile(f);

  // The floor, the CLI and the warm run take turns, ROUNDS times, and each is reported by its median run: on a
  // shared machine one run of each can land on a fast or a slow moment. The hand script (~45 s) runs once.
  const floors: Measured[] = [];
  const clis: Measured[] = [];
  const warms: Measured[] = [];
  let hand: Measured | null = null;
  // Each run's outputs are removed once checked, so every round starts from the same page cache. Kept, they grew it
  // by ~0.8 GB a round, and on the 2-core VM every run then got slower round by round, the memory-heavy ones most:
  // the CLI's CPU went from 4.7 s in the first round to 5.6–5.9 s in the sixth, the floor's time up 12 %.
  const discard = (dir: string) => fs.rm(dir, { recursive: true, force: true });
  for (let round = 0; round < ROUNDS; round++) {
    floors.push(runFloor(inDir, path.join(home, `floor-${round}`), longEdge, quality));
    await discard(path.join(home, `floor-${round}`));
    if (hand == null) {
      hand = await runHandScript(inDir, path.join(home, 'hand'), profile);
      await discard(path.join(home, 'hand'));
    }
    process.stderr.write(`colophon process (CLI), round ${round + 1} of ${ROUNDS}…\n`);
    const cliOut = path.join(home, `cli-out-${round}`);
    const cli = timeCommand(process.execPath, [CLI, 'process', inDir, '--out', cliOut], { env: cliEnv() });
    if (cli.status !== 0) {
      console.log(`colophon process FAILED (exit ${cli.status}): ${cli.stderr.trim()}`);
      failed++;
    }
    // A credential that could not be embedded goes beside the file with a warning, and costs less to make: a run
    // that took that way out is not the pipeline being measured.
    const beside = (await fs.readdir(cliOut, { recursive: true })).filter((f) => f.endsWith('.c2pa'));
    if (beside.length > 0) {
      console.log(`colophon process: ${beside.length} Content Credential(s) went beside the file instead of inside it (${beside[0]}); the run does not count as the pipeline`);
      failed++;
    }
    clis.push(cli);
    await discard(cliOut);
    process.stderr.write(`colophon, warm in-process processPaths, round ${round + 1} of ${ROUNDS}…\n`);
    warms.push(runWarm(path.join(home, `warm-out-${round}`), warmup!, files));
    await discard(path.join(home, `warm-out-${round}`));
  }
  const [floor, cli, warm] = [medianRun(floors), medianRun(clis), medianRun(warms)];

  const row = (label: string, m: Pick<Measured, 'wallS' | 'cpuS' | 'peakRssMB' | 'load'>, runs?: Measured[]) =>
    console.log(`  ${label.padEnd(52)} ${m.wallS.toFixed(2).padStart(7)} s  ${(m.cpuS / COUNT).toFixed(3).padStart(6)} CPU-s/file  ${m.peakRssMB.toFixed(0).padStart(5)} MB peak RSS  (${loadNote(m.load)})` +
      (runs != null && runs.length > 1 ? `  runs: ${runs.map((r) => r.wallS.toFixed(2)).join(' / ')} s` : ''));
  console.log(`\n${COUNT} files; the floor, the CLI and the warm run by their median of ${ROUNDS} interleaved runs, the hand script once (wall seconds, CPU seconds per file, peak RSS of the largest process):`);
  row('stock-tool floor (vipsthumbnail ×2 + cp + sha256sum)', floor, floors);
  row('hand script (convert + exiftool + sha256sum)', hand!);
  row('colophon process (CLI, cold start)', cli, clis);
  row('colophon, warm in-process processPaths', warm, warms);
  const ratio = (label: string, value: number, target: string, ok: boolean, rounds?: number[]) => console.log(`  ${label.padEnd(52)} ${value.toFixed(2).padStart(6)}×  (target ${target}: ${verdict(ok)})` +
    (rounds != null && rounds.length > 1 ? `  by round: ${rounds.map((r) => r.toFixed(2)).join(' / ')}` : ''));
  // Against the floor, each run is divided by the floor run of its own round (moments apart, at the same machine
  // speed) and the median of those is the ratio: a shared machine's speed drifts more between rounds than within one.
  const paired = (runs: Measured[]) => runs.map((r, i) => r.wallS / floors[i]!.wallS);
  const cliRatios = paired(clis);
  const warmRatios = paired(warms);
  console.log('ratios (against the floor: the median of each round\'s run / that round\'s floor):');
  ratio('colophon process / floor', median(cliRatios), '≤ 1.25×', median(cliRatios) <= 1.25, cliRatios);
  ratio('colophon warm / floor', median(warmRatios), '≤ 1.25×', median(warmRatios) <= 1.25, warmRatios);
  ratio('hand script / colophon process', hand!.wallS / cli.wallS, '≥ 8×', hand!.wallS / cli.wallS >= 8);
  ratio('hand script / colophon warm', hand!.wallS / warm.wallS, '≥ 8×', hand!.wallS / warm.wallS >= 8);

  console.log();
  await stageBreakdown(files[0]!, profile, paths.configDir, path.join(home, 'stages'));
  console.log();
  await f12Case(path.join(home, 'f12'), longEdge, quality);
  console.log();
  failed += await benchExr(path.join(home, 'exr'));
  await benchSigning(profile, paths.configDir, files, warm.wallS / COUNT);
}

/** The run with the median wall time (the upper middle one of an even count). */
function medianRun(runs: Measured[]): Measured {
  return [...runs].sort((a, b) => a.wallS - b.wallS)[Math.floor(runs.length / 2)]!;
}

function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, COLOPHON_HOME: home };
}

/** `colophon --version` and `--help`, median of 5 each (wall, and CPU, which a busy machine disturbs less), next to a bare `node -e 0`. */
function startup(): void {
  const med = (args: string[]) => {
    const runs = Array.from({ length: 5 }, () => timeCommand(process.execPath, args, { env: cliEnv() }));
    return `${(median(runs.map((r) => r.wallS)) * 1000).toFixed(0)} ms (CPU ${(median(runs.map((r) => r.cpuS)) * 1000).toFixed(0)} ms)`;
  };
  const load = os.loadavg()[0]!;
  const bare = med(['-e', '0']);
  const version = med([CLI, '--version']);
  const help = med([CLI, '--help']);
  const processHelp = med([CLI, 'process', '--help']);
  console.log(`CLI start-up (median of 5): --version ${version}, --help ${help}, process --help ${processHelp}; bare \`node -e 0\` ${bare} (${loadNote(load)})`);
  // Node 20 parses the CA bundle NODE_EXTRA_CA_CERTS names at every start, before any of Colophon's code runs (Node
  // 24 reads it only when a TLS connection needs it). Shown, not removed: the CLI runs in the environment it is given.
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa != null && extraCa !== '') {
    const { NODE_EXTRA_CA_CERTS: _, ...without } = cliEnv();
    const runs = Array.from({ length: 5 }, () => timeCommand(process.execPath, ['-e', '0'], { env: without }));
    console.log(`  NODE_EXTRA_CA_CERTS is set (${extraCa}): bare \`node -e 0\` without it ${(median(runs.map((r) => r.wallS)) * 1000).toFixed(0)} ms; every \`colophon\` run here pays the difference`);
  }
  console.log(`the CLI runs ${currentBuild() != null ? 'compiled (dist/cli, as after npm ci)' : 'from the TypeScript sources through tsx: dist/cli is missing or older than the sources (npm run build:cli)'}`);
}

/** The floor, as a user would type it: xargs -P2 over the folder, vipsthumbnail + cp + sha256sum per file. */
function runFloor(inDir: string, out: string, longEdge: number, quality: number): Measured {
  process.stderr.write('stock-tool floor…\n');
  const script = [
    'set -e',
    'mkdir -p "$2/public" "$2/private"',
    'cd "$1"',
    // One line per file: preview next to nothing else, the original copied, both hashed.
    'printf "%s\\0" *.png | xargs -0 -P2 -I{} sh -c \'vipsthumbnail "$1" -s "$3" -o "$2/public/%s.jpg[Q=$4]" && cp "$1" "$2/private/" && sha256sum "$2/public/${1%.png}.jpg" "$2/private/$1"\' _ {} "$2" "$3" "$4" > "$2/SHA256SUMS"',
  ].join('\n');
  const m = timeCommand('bash', ['-c', script, 'floor', inDir, out, String(longEdge), String(quality)]);
  if (m.status !== 0) throw new Error(`the floor script failed: ${m.stderr}`);
  return m;
}

/** The rights fields Colophon writes (stampTags), as an exiftool argument file: one `-TAG=value` a line. */
function exiftoolArgs(profile: Profile): { lines: string[]; dataMining: string } {
  const rights = rightsFromProfile(profile, 'digitalCreation');
  const { tags } = stampTags(rights, 'jpeg');
  // Inside a serialized structure exiftool reads , [ ] { } | as syntax; a leading | escapes them.
  const esc = (v: unknown) => String(v).replace(/[,[\]{}|]/g, '|$&');
  const lines: string[] = [];
  for (const [tag, value] of Object.entries(tags)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v != null && typeof v === 'object') lines.push(`-${tag}={${Object.entries(v).map(([k, x]) => `${k}=${esc(x)}`).join(',')}}`);
      else lines.push(`-${tag}=${typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)}`);
    }
  }
  return { lines, dataMining: rights.dataMining };
}

/** The hand-written script: sequential, ImageMagick preview, one exiftool per file for both outputs, sha256sum. */
async function runHandScript(inDir: string, out: string, profile: Profile): Promise<Measured> {
  process.stderr.write('hand script…\n');
  // One exiftool per input writes both outputs, so both get the JPEG tag set (the larger one, EXIF and IPTC-IIM
  // included), as a hand script with a single argument file would.
  const { lines, dataMining } = exiftoolArgs(profile);
  const argsFile = path.join(path.dirname(out), 'rights.args');
  await fs.writeFile(argsFile, lines.join('\n') + '\n');
  const { longEdge, quality } = profile.preview;
  const script = [
    'set -e',
    'mkdir -p "$2/public" "$2/private"',
    'for f in "$1"/*.png; do',
    '  b=$(basename "$f" .png)',
    '  convert "$f" -resize "$3x$3" -quality "$4" "$2/public/$b.jpg"',
    '  cp "$f" "$2/private/$b.png"',
    '  perl "$5" -q -q -overwrite_original -@ "$6" "$2/public/$b.jpg" "$2/private/$b.png"',
    '  sha256sum "$2/public/$b.jpg" "$2/private/$b.png" >> "$2/SHA256SUMS"',
    'done',
  ].join('\n');
  const m = timeCommand('bash', ['-c', script, 'hand', inDir, out, String(longEdge), String(quality), EXIFTOOL, argsFile]);
  if (m.status !== 0) throw new Error(`the hand script failed: ${m.stderr}`);
  // It really wrote the fields: read one back.
  const first = (await fs.readdir(path.join(out, 'public'))).sort()[0]!;
  const got = execFileSync('perl', [EXIFTOOL, '-s3', '-XMP-plus:DataMining#', path.join(out, 'public', first)], { encoding: 'utf8' }).trim();
  if (got !== dataMining) throw new Error(`the hand script's exiftool did not write DataMining (read "${got}")`);
  console.log(`hand script writes ${lines.length} tags per file (stampTags for JPEG) with ${path.relative(repo, EXIFTOOL)}`);
  return m;
}

/** The warm in-process run, in a child so its peak RSS is its own. */
function runWarm(outRoot: string, warmup: string, files: string[]): Measured {
  const load = os.loadavg()[0]!;
  const r = timeCommand(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'lib', 'warm-process.ts'), home, outRoot, warmup, ...files], { env: cliEnv() });
  const last = r.status === 0 ? r.stdout.trim().split('\n').at(-1) : undefined;
  if (last == null || !last.startsWith('{')) throw new Error(`the warm run failed: ${r.stderr}`);
  const line = JSON.parse(last) as { wallS: number; cpuS: number; peakRssMB: number; errors: string[] };
  if (line.errors.length > 0) {
    console.log(`warm run: ${line.errors.length} file(s) FAILED: ${line.errors[0]}`);
    failed++;
  }
  return { wallS: line.wallS, cpuS: line.cpuS, peakRssMB: line.peakRssMB, status: 0, stdout: '', stderr: '', load };
}

/**
 * An F12 render as the add-on sends it (asset.process with source "f12" and the render context) to a warm
 * `colophon serve`, median of 5 after one warm-up, against the floor for that one file.
 */
async function f12Case(dir: string, longEdge: number, quality: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const daemonHome = path.join(dir, 'home');
  await fs.mkdir(daemonHome);
  await fs.writeFile(path.join(daemonHome, 'config.json'), JSON.stringify({ creator: { name: 'Bench Artist' } }));
  const d = await startServe(daemonHome, [], true);
  const times: number[] = [];
  let last = '';
  const load = os.loadavg()[0]!;
  try {
    const c = await RpcClient.connect(d.url, { authorization: `Bearer ${d.token}` });
    for (let i = 0; i < 6; i++) {
      // A new picture each time (as a new render), so no run reuses an earlier one's outputs.
      last = path.join(dir, `Render_Scene_${i}.png`);
      await png16(last, i);
      const context = { scene: 'Scene', frame: 1, camera: 'Camera', engine: 'CYCLES', resolution: [1920, 1080], blenderVersion: '4.2.0' };
      const start = performance.now();
      const r = await c.call('asset.process', { paths: [last], source: 'f12', context });
      if (r.error != null || r.result.errors.length > 0) throw new Error(`F12 render failed: ${JSON.stringify(r.error ?? r.result.errors)}`);
      if (i > 0) times.push(performance.now() - start);
    }
    await c.close();
  } finally {
    await d.stop();
  }
  const out = path.join(dir, 'floor');
  await fs.mkdir(out);
  const floorScript = 'vipsthumbnail "$1" -s "$3" -o "$2/%s.jpg[Q=$4]" && cp "$1" "$2/" && b=$(basename "$1" .png) && sha256sum "$2/$b.jpg" "$2/$b.png" > /dev/null';
  const floor = median(Array.from({ length: 5 }, () => {
    const m = timeCommand('sh', ['-c', floorScript, 'f12-floor', last, out, String(longEdge), String(quality)]);
    if (m.status !== 0) throw new Error(`the F12 floor failed: ${m.stderr}`);
    return m.wallS * 1000;
  }));
  const ms = median(times);
  console.log(`F12 render, 1920×1080 16-bit PNG through a warm daemon (asset.process, source f12), median of ${times.length}: ${ms.toFixed(0)} ms ` +
    `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); floor for that file (vipsthumbnail + cp + sha256sum, median of 5): ${floor.toFixed(0)} ms`);
  console.log(`  ratio daemon / floor ${(ms / floor).toFixed(2)}×  (target ≤ 1.5×: ${verdict(ms / floor <= 1.5)}; ${loadNote(load)})`);
}

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
  let bad = 0;
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
      bad++;
      continue;
    }
    const ms = median(times);
    if (baseMs === 0) baseMs = ms;
    const mpx = (info.width * info.height) / 1e6;
    console.log(`  ${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  ${(mpx / (ms / 1000)).toFixed(1).padStart(6)} Mpx/s  via ${decoder.padEnd(9)} ratio vs baseline ${(ms / baseMs).toFixed(2)}×`);
  }
  return bad;
}

/**
 * Content Credentials: the signing step alone on unsigned copies of the same inputs (PNG masters) and of their
 * JPEG previews, against the warm pipeline's time per file measured above.
 */
async function benchSigning(profile: Profile, configDir: string, files: string[], warmPerFileS: number): Promise<void> {
  const { signOutput } = await import('../server/c2pa/sign.ts');
  const { stampTemplate } = await import('../server/pipeline/stamp-template.ts');
  const rights = rightsFromProfile(profile, 'digitalCreation');
  const template = await stampTemplate('png', rights, configDir);
  const packet = template.format === 'png' ? template.packet : '';
  const dir = path.join(home, 'sign');
  await fs.mkdir(dir);
  const some = files.slice(0, 5);
  const copiesOf = async (ext: string, make: (f: string, i: number) => Promise<void>): Promise<string[]> => {
    const copies: string[] = [];
    for (let i = 0; i < some.length; i++) {
      const f = path.join(dir, `${ext}-${i}.${ext === 'jpg' ? 'jpg' : 'png'}`);
      await make(f, i);
      copies.push(f);
    }
    return copies;
  };
  const time = async (copies: string[], format: 'png' | 'jpeg', parents?: string[]): Promise<number> => {
    const t = performance.now();
    for (const [i, f] of copies.entries()) {
      await signOutput({ file: f, dest: f, format, role: parents != null ? 'preview' : 'master', rights, ...(parents != null ? { parent: parents[i]! } : {}) }, { profile, configDir });
    }
    return (performance.now() - t) / copies.length;
  };
  // The master as the pipeline writes it (the stamp's XMP chunk, the image data regrouped), and as the render came.
  const masters = await copiesOf('master', async (f, i) => fs.writeFile(f, withPngXmp(await fs.readFile(some[i]!), packet, f)));
  const asRendered = await copiesOf('rendered', (f, i) => fs.copyFile(some[i]!, f));
  const masterMs = await time(masters, 'png');
  const asRenderedMs = await time(asRendered, 'png');
  const previews = await copiesOf('jpg', async (f, i) => void (await sharp(some[i]!).resize(1600, 1600, { fit: 'inside' }).jpeg({ quality: 82 }).toFile(f)));
  const previewMs = await time(previews, 'jpeg', masters);
  const perFileMs = warmPerFileS * 1000;
  console.log(`C2PA signing per file (${some.length} files): PNG master ${masterMs.toFixed(1)} ms (the render as it came, in libpng's 8 KiB chunks: ${asRenderedMs.toFixed(1)} ms), ` +
    `JPEG preview with the master as its parent ${previewMs.toFixed(1)} ms; master+preview ${((masterMs + previewMs) / perFileMs * 100).toFixed(1)}% of the warm pipeline's ${perFileMs.toFixed(0)} ms per file`);
}
