import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import PQueue from 'p-queue';
import type { AssetResult, Failure, Output, ProcessReport } from '../../protocol/src/results.ts';
import type { Profile } from '../../protocol/src/profile.ts';
import { assertConfinedIfExists, confinedDir } from '../util/confine.ts';
import { Gate } from '../util/gate.ts';
import { ColophonError } from '../errors.ts';
import { LockTimeoutError, withFileLock } from '../ledger/lock.ts';
import { toFailure } from './failure.ts';
import { expandInputs } from './inputs.ts';
import { manifestFile, readReusable, writeManifest, type Manifest } from './manifest.ts';
import { describeOutput, discardMaster } from './outputs.ts';
import { classifyStage, displayHash } from './stages/classify.ts';
import { defaultLayout, type AssetContext, type InputSnapshot, type OutputLayout, type PipelineEnv, type ProcessRequest, type ProgressFn } from './stages/context.ts';
import { decodeStage } from './stages/decode.ts';
import { fingerprintOf, planStage } from './stages/plan.ts';
import { checkAbort, readInput } from './stages/read-input.ts';
import { recordStage } from './stages/record.ts';
import { signMasterStage, writeOutputsStage } from './stages/write-outputs.ts';
import { rightsFromProfile } from './stamp.ts';
import { stampTemplate } from './stamp-template.ts';
import { c2pa } from '../c2pa/library.ts';

export type { PipelineEnv, ProcessRequest, ProgressFn } from './stages/context.ts';


export interface StageOptions {
  /** Where the outputs go (default: private/<assetId>/ and public/<assetId>/). */
  layout?: (assetId: string, name: string) => OutputLayout;
  /** False: leave recording to the caller (pack records once its delivery is written, with the delivered paths). */
  record?: boolean;
  /** The input as the caller already read it (read-input's snapshot), so it is not read and hashed again. */
  input?: InputSnapshot;
  /** Folder of the per-asset locks, relative to the output root (default .locks). */
  locksDir?: string;
  /**
   * Called once the picture is decoded and the master signed, before anything is written: the caller's limit on
   * files being decoded can let the next one in while this one writes its outputs and is recorded. Not called for
   * a file that fails or is reused before then; the caller gives its place back when runStages returns.
   */
  onDecoded?: () => void;
}

export interface StagesOutcome {
  result: AssetResult;
  /** True when an earlier run's outputs were reused as they are. */
  reused: boolean;
  /** What the stages learned (absent when reused): e.g. the contact-sheet thumbnail a pack asked for. */
  ctx?: AssetContext;
}

/**
 * SPEC §4 on one file, as its stages: read-input (hash) → [reuse?] → classify → plan → decode → write outputs
 * (stamp → sign → hash) → record → manifest. Throws ColophonError; a failed file leaves no new folders behind.
 */
export async function runStages(inputPath: string, req: ProcessRequest, env: PipelineEnv, opts: StageOptions = {}): Promise<StagesOutcome> {
  const started = performance.now();
  const input = opts.input ?? (await readInput(inputPath, req.signal));
  const readMs = performance.now() - started;
  const assetId = input.sha256.slice(0, 16);
  const name = path.basename(input.file);
  const ctx: AssetContext = {
    label: inputPath, req, env, input, assetId, layout: (opts.layout ?? defaultLayout)(assetId, name),
    outputs: [], warnings: [], madeDirs: [], ledgerSeq: null, timings: { 'read-input': readMs },
  };
  // One run at a time per asset (two `colophon process` on one home, or the CLI beside the daemon): the second then
  // finds the first one's outputs and reuses them, instead of signing new bytes and recording the asset twice.
  const locks = await confinedDir(env.outRoot, opts.locksDir ?? '.locks');
  // How long to wait for another run on the same content (a large EXR can take a while).
  const waitMs = env.profile.limits.timeouts.assetLockMs;
  try {
    return await withFileLock(path.join(locks, assetId), () => removingMadeDirsOnFailure(ctx, () => underLock(ctx, opts)), waitMs);
  } catch (err) {
    if (!(err instanceof LockTimeoutError)) throw err;
    throw new ColophonError('BUSY', `${inputPath}: another Colophon run (process ${err.holder}) has been processing the same content for over ${Math.round(waitMs / 60_000)} minutes. Let it finish, then run again.`, { cause: err });
  }
}

/**
 * A failed file's new folders are removed while its lock is still held: a copy of the same content waiting for the
 * lock would otherwise find private/<assetId> there, write into it, and lose it to this removal.
 */
async function removingMadeDirsOnFailure<T>(ctx: AssetContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    for (const dir of ctx.madeDirs.reverse()) await fs.rmdir(dir).catch(() => undefined);
    throw err;
  }
}

/** processFile's result: the stages run on one file. */
export async function processFile(inputPath: string, req: ProcessRequest, env: PipelineEnv): Promise<AssetResult> {
  return (await runStages(inputPath, req, env)).result;
}

async function underLock(ctx: AssetContext, opts: StageOptions): Promise<StagesOutcome> {
  const { env, req } = ctx;
  const privDir = path.join(env.outRoot, ctx.layout.privateDir);
  // A link planted at private/<assetId> must not lead reads of old outputs, or any write, outside the root.
  await assertConfinedIfExists(env.outRoot, privDir);
  await assertConfinedIfExists(env.outRoot, path.dirname(path.join(env.outRoot, ctx.layout.previewFile('jpg'))));
  ctx.fingerprint = fingerprintOf(ctx, req.display != null ? await displayHash(req.display) : undefined);
  const reused = await readReusable(privDir, ctx.fingerprint);
  if (reused != null) return { result: await reuse(reused, privDir, req, env, opts.record !== false), reused: true };

  await timed(ctx, 'classify', () => classifyStage(ctx));
  await timed(ctx, 'plan', () => planStage(ctx));
  const decoded = timed(ctx, 'decode', () => decodeStage(ctx));
  // The master is signed beside its destination while the picture decodes (its pixels are on libvips' threads by
  // the next turn); it is placed only after a successful decode, and removed otherwise. Handled at once, so a
  // failure waits here for its turn.
  const signedMaster = new Promise<void>((resolve) => setImmediate(resolve)).then(() => signMasterStage(ctx));
  signedMaster.catch(() => undefined);
  let master: Awaited<typeof signedMaster> | undefined;
  try {
    await decoded;
    master = await signedMaster;
    opts.onDecoded?.();
    await timed(ctx, 'write-outputs', async () => writeOutputsStage(ctx, master));
  } catch (err) {
    await discardMaster(master ?? (await signedMaster.catch(() => null)));
    throw err;
  }
  const result = resultOf(ctx);
  checkAbort(req.signal);
  if (env.ledger != null && opts.record !== false) {
    result.ledgerSeq = await timed(ctx, 'record', () => recordStage(env.ledger!, result, env.profile, req));
  }
  // The manifest is written last: its presence marks a complete asset.
  const manifest: Manifest = { manifestVersion: 1, fingerprint: ctx.fingerprint, recordedAt: new Date().toISOString(), result };
  if (req.context != null) manifest.context = req.context;
  result.outputs.push(await timed(ctx, 'manifest', () => writeManifest(privDir, manifest)));
  return { result, reused: false, ctx };
}

/** Runs one stage, adding its wall time to the context's timings (the bench's breakdown reads them). */
async function timed<T>(ctx: AssetContext, stage: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    ctx.timings[stage] = (ctx.timings[stage] ?? 0) + performance.now() - t0;
  }
}

function resultOf(ctx: AssetContext): AssetResult {
  const cls = ctx.cls!;
  const { input } = ctx;
  return {
    assetId: ctx.assetId,
    source: ctx.req.source,
    input: {
      path: input.file, sha256: input.sha256, bytes: input.bytes, kind: cls.kind, sourceRich: cls.sourceRich, format: cls.format,
      ...(cls.role != null ? { role: cls.role } : {}),
      ...(ctx.width != null ? { width: ctx.width } : {}),
      ...(ctx.height != null ? { height: ctx.height } : {}),
      ...(ctx.inputPhash != null ? { phash: ctx.inputPhash } : {}),
      ...(ctx.photo === true ? { photo: true } : {}),
    },
    outputs: ctx.outputs,
    warnings: [...new Set(ctx.warnings)],
    ledgerSeq: null,
  };
}

/** A repeat of an already-processed asset: nothing is rewritten; it is recorded once if it never was. */
async function reuse(m: Manifest, privDir: string, req: ProcessRequest, env: PipelineEnv, record: boolean): Promise<AssetResult> {
  let result = m.result;
  if (env.ledger != null && record && result.ledgerSeq == null) {
    result = { ...result, ledgerSeq: await recordStage(env.ledger, result, env.profile, req) };
    m = { ...m, result };
  }
  const manifestOut = await writeManifestIfChanged(privDir, m, result !== m.result);
  return { ...result, outputs: [...result.outputs, manifestOut] };
}

async function writeManifestIfChanged(privDir: string, m: Manifest, changed: boolean): Promise<Output> {
  if (changed) return writeManifest(privDir, m);
  return describeOutput(manifestFile(privDir, m.result), { visibility: 'private', purpose: 'manifest', metadata: 'none' });
}

function prepareStampTemplates(env: PipelineEnv): void {
  const rights = rightsFromProfile(env.profile, 'digitalCreation');
  for (const format of ['png', 'jpeg'] as const) stampTemplate(format, rights, env.configDir).catch(() => undefined);
  // The C2PA library is large; loaded now, it is ready when the first master is signed.
  c2pa().catch(() => undefined);
}

/** How many files of one job go through the pipeline at once (limits.concurrency.files). */
export function filesAtOnce(profile: Profile): number {
  return profile.limits.concurrency.files ?? Math.min(4, os.availableParallelism() + 1);
}

/** Files and folders (walked file by file); one Failure per bad input, the rest still processed. */
export async function processPaths(
  paths: string[],
  req: ProcessRequest,
  env: PipelineEnv,
  onProgress?: ProgressFn,
): Promise<ProcessReport> {
  const { files, errors } = await expandInputs(paths, env.outRoot);
  // The stamp templates are made (by exiftool) while the first files are being decoded, not after; a failure here
  // is met again, and reported, by the file that needs the template (or the library, by the first file signed).
  if (files.length > 0) prepareStampTemplates(env);
  const results: Array<AssetResult | null> = files.map(() => null);
  const failures: Array<Failure | null> = files.map(() => null);
  // Decoding is where the CPU goes: filesAtOnce files decode at a time, and each lets the next one in as soon as its
  // picture is done, so the next decode runs while it writes, signs its preview and is recorded. Identical renders
  // would otherwise move in step, every one of them writing at the same moment while the cores wait.
  const decoding = new Gate(filesAtOnce(env.profile));
  const queue = new PQueue({ concurrency: 2 * filesAtOnce(env.profile) });
  let done = 0;
  onProgress?.(0, files.length);
  await Promise.all(
    files.map((file, i) =>
      queue.add(async () => {
        const leave = await decoding.enter();
        try {
          results[i] = (await runStages(file, req, env, { onDecoded: leave })).result;
        } catch (err) {
          failures[i] = toFailure(file, err);
        } finally {
          leave();
        }
        onProgress?.(++done, files.length, file);
      }),
    ),
  );
  return {
    results: results.filter((r): r is AssetResult => r != null),
    errors: [...errors, ...failures.filter((f): f is Failure => f != null)],
  };
}
