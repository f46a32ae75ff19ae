// Where the time goes inside Colophon for one file: the pipeline's own per-stage wall times (runStages keeps them in
// the asset context), on a warm process, for one new file.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../../protocol/src/profile.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { processPaths, runStages, type PipelineEnv } from '../../server/pipeline/process.ts';

/** Prints where one file's time goes. `work` is an empty scratch folder. */
export async function stageBreakdown(file: string, profile: Profile, configDir: string, work: string): Promise<void> {
  await fs.mkdir(work, { recursive: true });
  const env: PipelineEnv = { profile, outRoot: path.join(work, 'out'), ledger: new Ledger(path.join(work, 'ledger.jsonl')), configDir };
  // Warm: sharp loaded, the ExifTool pool up, the signing identity read, stamp templates made, the file in the page cache.
  const warm = await processPaths([file], { source: 'cli' }, { ...env, outRoot: path.join(work, 'warm') });
  if (warm.errors.length > 0) throw new Error(`${file}: ${warm.errors[0]!.message}`);
  const t = performance.now();
  const { ctx } = await runStages(file, { source: 'cli' }, { ...env, outRoot: path.join(work, 'staged') });
  const whole = performance.now() - t;
  if (ctx == null) throw new Error(`${file}: reused instead of processed`);
  console.log(`where the time goes for one file (${path.basename(file)}, the pipeline's own stage timings, warm):`);
  for (const [stage, ms] of Object.entries(ctx.timings)) {
    console.log(`  ${stage.padEnd(20)} ${ms.toFixed(0).padStart(6)} ms  ${((ms / whole) * 100).toFixed(0).padStart(3)}%`);
  }
  console.log(`  ${'whole file'.padEnd(20)} ${whole.toFixed(0).padStart(6)} ms  (the rest: the asset lock, confinement checks, the reuse check)`);
}
