// Where the time goes inside Colophon for one file: a per-stage breakdown, kept apart so it can follow the
// pipeline as it is restructured. When server/pipeline/stages/ exports `STAGE_TIMINGS` (a function of the file
// and the pipeline env that processes it and returns [{ stage, ms }] in order), that is what is printed. Otherwise
// each step is timed from outside, like a profiler would, by calling the exported functions in the order
// processFile runs them; what the whole pipeline takes beyond their sum is printed as the remainder.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Profile } from '../../protocol/src/profile.ts';
import { signOutput } from '../../server/c2pa/sign.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { classifyFile } from '../../server/pipeline/classify.ts';
import { phash } from '../../server/pipeline/phash.ts';
import { pixelSource } from '../../server/pipeline/pixels.ts';
import { planPreview } from '../../server/pipeline/preview-plan.ts';
import { renderPreview } from '../../server/pipeline/preview.ts';
import { processPaths, type PipelineEnv } from '../../server/pipeline/process.ts';
import { embedStamp, looksCameraMade, rightsFromProfile } from '../../server/pipeline/stamp.ts';
import { sha256File } from '../../server/util/hash.ts';

export interface StageTiming {
  stage: string;
  ms: number;
}

type StageTimingsFn = (file: string, env: PipelineEnv) => Promise<StageTiming[]>;

const STAGES_DIR = path.resolve(import.meta.dirname, '../../server/pipeline/stages');

/** The pipeline's own stage timings, when the stage modules offer them. */
async function fromStages(): Promise<StageTimingsFn | null> {
  for (const name of ['index.ts', 'timings.ts']) {
    const file = path.join(STAGES_DIR, name);
    if (!(await fs.stat(file).then(() => true, () => false))) continue;
    const mod = (await import(file)) as { STAGE_TIMINGS?: unknown };
    if (typeof mod.STAGE_TIMINGS === 'function') return mod.STAGE_TIMINGS as StageTimingsFn;
  }
  return null;
}

/** Times the exported pipeline functions one after another on `file` (warm: one full pass first, untimed). */
async function fromOutside(file: string, env: PipelineEnv, work: string): Promise<{ rows: StageTiming[]; wholeMs: number }> {
  const rows: StageTiming[] = [];
  const step = async <T>(stage: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await run();
    rows.push({ stage, ms: performance.now() - t });
    return r;
  };
  const { profile } = env;
  const label = path.basename(file);
  const { sha256 } = await step('hash input (sha256File)', () => sha256File(file));
  const cls = await step('classify (classifyFile)', () => classifyFile(file, 'cli'));
  const photo = await step('camera-made? (looksCameraMade)', () => looksCameraMade(file));
  const rights = rightsFromProfile(profile, photo ? 'digitalCapture' : 'digitalCreation');
  const pixels = await step('pixel source (pixelSource)', () => pixelSource(file, cls));
  const { plan } = planPreview(cls, { source: 'cli' }, profile, false);
  if (pixels?.src == null || plan == null) throw new Error(`${label}: no preview planned; the breakdown needs a picture`);
  const preview = await step('decode + resize + watermark + encode (renderPreview)', () => renderPreview(pixels.src!, plan, label));
  await step('perceptual hash of the input (phash)', () => phash(sharp(preview.clean.raw, { raw: { width: preview.clean.width, height: preview.clean.height, channels: 3 } })));
  const master = path.join(work, `master-${sha256.slice(0, 8)}.png`);
  const pub = path.join(work, `preview-${sha256.slice(0, 8)}.jpg`);
  await step('copy master + re-hash the copy', async () => {
    await fs.copyFile(file, master);
    return sha256File(master);
  });
  await step('stamp master (embedStamp, png)', () => embedStamp(master, cls.format, rights, label));
  const ctx = { profile, ...(env.configDir != null ? { configDir: env.configDir } : {}) };
  await step('sign master (signOutput, C2PA)', () => signOutput({ file: master, dest: master, format: cls.format, role: 'master', rights }, ctx));
  await step('hash master (sha256File)', () => sha256File(master));
  await step('write preview + stamp (embedStamp, jpeg)', async () => {
    await fs.writeFile(pub, preview.buffer);
    return embedStamp(pub, plan.format, rights, `the preview of ${label}`);
  });
  await step('sign preview (signOutput, C2PA)', () => signOutput({ file: pub, dest: pub, format: plan.format, role: 'preview', rights, parent: master }, ctx));
  await step('hash preview + its phash', async () => Promise.all([sha256File(pub), phash(preview.buffer)]));

  // The same file through the whole pipeline, for the remainder (ledger append + fsync, manifest, locks, checks).
  const t = performance.now();
  const r = await processPaths([file], { source: 'cli' }, { ...env, outRoot: path.join(work, 'whole') });
  const wholeMs = performance.now() - t;
  if (r.errors.length > 0) throw new Error(`${label}: ${r.errors[0]!.message}`);
  return { rows, wholeMs };
}

/** Prints where one file's time goes. `work` is an empty scratch folder. */
export async function stageBreakdown(file: string, profile: Profile, configDir: string, work: string): Promise<void> {
  await fs.mkdir(work, { recursive: true });
  const env: PipelineEnv = { profile, outRoot: path.join(work, 'out'), ledger: new Ledger(path.join(work, 'ledger.jsonl')), configDir };
  // Warm: sharp loaded, the ExifTool pool up, the signing identity read, the file in the page cache.
  const warm = await processPaths([file], { source: 'cli' }, { ...env, outRoot: path.join(work, 'warm') });
  if (warm.errors.length > 0) throw new Error(`${file}: ${warm.errors[0]!.message}`);
  const own = await fromStages();
  if (own != null) {
    const rows = await own(file, { ...env, outRoot: path.join(work, 'staged') });
    const total = rows.reduce((s, r) => s + r.ms, 0);
    console.log(`where the time goes for one file (${path.basename(file)}, the pipeline's own stage timings, warm):`);
    for (const r of rows) console.log(`  ${r.stage.padEnd(56)} ${r.ms.toFixed(0).padStart(6)} ms  ${((r.ms / total) * 100).toFixed(0).padStart(3)}%`);
    console.log(`  ${'total'.padEnd(56)} ${total.toFixed(0).padStart(6)} ms`);
    return;
  }
  const { rows, wholeMs } = await fromOutside(file, env, work);
  const sum = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`where the time goes for one file (${path.basename(file)}, each exported step timed from outside, warm, one after another):`);
  for (const r of rows) console.log(`  ${r.stage.padEnd(56)} ${r.ms.toFixed(0).padStart(6)} ms  ${((r.ms / wholeMs) * 100).toFixed(0).padStart(3)}%`);
  console.log(`  ${'sum of the steps'.padEnd(56)} ${sum.toFixed(0).padStart(6)} ms`);
  console.log(`  ${'processPaths on the same file (whole pipeline)'.padEnd(56)} ${wholeMs.toFixed(0).padStart(6)} ms  (beyond the steps: ${(wholeMs - sum).toFixed(0)} ms for ledger, manifest, locks, checks, or overlap when negative)`);
}
