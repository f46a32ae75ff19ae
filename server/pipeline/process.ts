import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import PQueue from 'p-queue';
import sharp from 'sharp';
import type { PreviewSettings, Profile } from '../../protocol/src/profile.ts';
import type { AssetResult, Failure, Output, ProcessReport, RenderContext, Source } from '../../protocol/src/results.ts';
import { assertConfinedIfExists, confinedDir } from '../util/confine.ts';
import { ColophonError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { LockTimeoutError, withFileLock } from '../ledger/lock.ts';
import { canonicalJson, sha256File, sha256Hex } from '../util/hash.ts';
import { READ_INPUT_FLAGS, statRegularFile } from '../util/regular-file.ts';
import { classifyFile, type Classification } from './classify.ts';
import { toFailure } from './failure.ts';
import { expandInputs } from './inputs.ts';
import { describePngDamage } from './metadata-guard.ts';
import { manifestFile, readReusable, writeManifest, type Manifest } from './manifest.ts';
import { describeOutput, writeMaster, writePreview } from './outputs.ts';
import { phash } from './phash.ts';
import { pixelSource, type Pixels } from './pixels.ts';
import { renderPreview, type PixelSource } from './preview.ts';
import { planPreview } from './preview-plan.ts';
import { looksCameraMade, rightsFromProfile } from './stamp.ts';

/** What one processing request asks for. */
export interface ProcessRequest {
  source: Source;
  context?: RenderContext;
  /** A display-referred rendition of the same picture: the preview is made from it, the master from the input. */
  display?: string;
  /** Per-request preview overrides (preview.export). */
  preview?: Partial<Omit<PreviewSettings, 'watermark'>> & { watermark?: Partial<PreviewSettings['watermark']> };
  /** 'auto' (default): presentation images get a preview, source-rich images a small tiled one, others none. */
  publicPreview?: 'auto' | 'always' | 'never';
  signal?: AbortSignal;
}

/** Where and with what a request runs. */
export interface PipelineEnv {
  profile: Profile;
  /** Output root: public/ and private/ are created below it. */
  outRoot: string;
  /** When given, every processed asset is recorded as `asset.recorded`. */
  ledger: Ledger | null;
  /** Holds the signing identity for Content Credentials; default: the config dir of the environment. */
  configDir?: string;
}

export type ProgressFn = (done: number, total: number, current?: string) => void;

/** How long a run waits for another run that is processing the same content (a large EXR can take a while). */
const ASSET_LOCK_WAIT_MS = 10 * 60_000;
const PIPELINE_VERSION = 2; // 2: outputs carry Content Credentials
const PRESENTATION = new Set<Source>(['f12', 'animation', 'export']);

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new ColophonError('CANCELLED', 'Processing was cancelled before this file finished; nothing was left half-written.');
}

async function assertReadable(file: string): Promise<void> {
  const fh = await fs.open(file, READ_INPUT_FLAGS);
  await fh.close();
}

/** Hashes the input; a cancel (e.g. the client disconnected) stops the read part-way. */
async function hashInput(file: string, signal: AbortSignal | undefined): Promise<{ sha256: string; bytes: number }> {
  try {
    return await sha256File(file, signal);
  } catch (err) {
    if (signal?.aborted === true) checkAbort(signal);
    throw err;
  }
}

/** Creates an asset folder inside the output root, remembering it when it is new so a failure can remove it again. */
async function makeAssetDir(root: string, sub: string, made: string[], opts: { private?: boolean } = {}): Promise<void> {
  const dir = path.join(root, sub);
  const existed = await fs.stat(dir).then(() => true, () => false);
  await confinedDir(root, sub, opts);
  if (!existed) made.push(dir);
}

/** SPEC §4 on one file: classify → stamp → preview → hash → write → record. Throws ColophonError. */
export async function processFile(inputPath: string, req: ProcessRequest, env: PipelineEnv): Promise<AssetResult> {
  const made: string[] = [];
  try {
    return await processOne(inputPath, req, env, made);
  } catch (err) {
    // A failed file leaves no empty asset folders behind (folders that already held something stay).
    for (const dir of made.reverse()) await fs.rmdir(dir).catch(() => undefined);
    throw err;
  }
}

async function processOne(inputPath: string, req: ProcessRequest, env: PipelineEnv, made: string[]): Promise<AssetResult> {
  const input = path.resolve(inputPath);
  checkAbort(req.signal);
  const before = await statRegularFile(input, inputPath);
  await assertReadable(input);
  const { sha256, bytes } = await hashInput(input, req.signal);
  const after = await fs.stat(input);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new ColophonError('CHANGED_WHILE_READING', `${inputPath} changed while it was being read. Wait until it is fully written, then process it again.`);
  }
  // One run at a time per asset (two `colophon process` on one home, or the CLI beside the daemon): the second then
  // finds the first one's outputs and reuses them, instead of signing new bytes and recording the asset twice.
  const locks = await confinedDir(env.outRoot, '.locks');
  try {
    return await withFileLock(path.join(locks, sha256.slice(0, 16)), () => processHashed(input, inputPath, { sha256, bytes }, req, env, made), ASSET_LOCK_WAIT_MS);
  } catch (err) {
    if (!(err instanceof LockTimeoutError)) throw err;
    throw new ColophonError('BUSY', `${inputPath}: another Colophon run (process ${err.holder}) has been processing the same content for over ${ASSET_LOCK_WAIT_MS / 60_000} minutes. Let it finish, then run again.`, { cause: err });
  }
}

/** The rest of processOne, under the asset's lock. */
async function processHashed(
  input: string,
  inputPath: string,
  { sha256, bytes }: { sha256: string; bytes: number },
  req: ProcessRequest,
  env: PipelineEnv,
  made: string[],
): Promise<AssetResult> {
  const assetId = sha256.slice(0, 16);
  const name = path.basename(input);
  const privDir = path.join(env.outRoot, 'private', assetId);
  const pubDir = path.join(env.outRoot, 'public', assetId);
  const { profile } = env;
  const displaySha = req.display != null ? await displayHash(req.display) : undefined;
  // Everything that decides the outputs; the same fingerprint means the earlier outputs can be reused as they are.
  const fingerprint = sha256Hex(canonicalJson({
    v: PIPELINE_VERSION, sha256, name, presentation: PRESENTATION.has(req.source), display: displaySha,
    publicPreview: req.publicPreview ?? 'auto', previewRequest: req.preview, preview: profile.preview,
    rights: [profile.creator, profile.copyright, profile.licence, profile.dataMining, profile.otherConstraints, profile.webStatement, profile.credentials],
  }));
  // A link planted at private/<assetId> must not lead reads of old outputs, or any write, outside the root.
  await assertConfinedIfExists(env.outRoot, privDir);
  await assertConfinedIfExists(env.outRoot, pubDir);
  const reused = await readReusable(privDir, fingerprint);
  if (reused != null) return reuse(reused, privDir, req, env);

  const cls = await classifyFile(input, req.source);
  const display = req.display != null ? await loadDisplay(req.display) : null;
  const { plan, reason } = planPreview(cls, req, env.profile, display != null);
  if (req.publicPreview === 'always' && plan == null) {
    // Asked for a preview (preview.export): succeeding without one would mislead, so fail before writing anything.
    throw new ColophonError('NO_PREVIEW', `${inputPath} is a ${cls.kind} file (${cls.format}) with no picture, so no public preview can be made from it. Export the preview from a render or an image (PNG, JPEG, TIFF, EXR).`);
  }

  checkAbort(req.signal);
  const photo = cls.exr?.cameraMade === true || (cls.raster === 'sharp' && (await looksCameraMade(input)));
  const rights = rightsFromProfile(profile, photo ? 'digitalCapture' : 'digitalCreation');
  const warnings = [...cls.warnings, ...(display?.cls.warnings ?? [])];
  if (reason != null) warnings.push(reason);

  // Pixels first: a file whose picture cannot be decoded fails before anything is written.
  const pixels = display != null ? display.pixels : await pixelSource(input, cls, req.signal);
  warnings.push(...(pixels?.warnings ?? []));
  const { preview, inputPhash } = await decodeStage(async () => {
    const preview = plan != null && pixels?.src != null ? await renderPreview(pixels.src, plan, inputPath) : null;
    const inputPhash = preview != null ? await phash(sharpRaw(preview.clean)) : pixels?.src != null ? await inputHash(pixels.src, inputPath) : undefined;
    return { preview, inputPhash };
  }, display == null && cls.format === 'png' ? input : null, inputPath);
  const width = cls.width ?? pixels?.width;
  const height = cls.height ?? pixels?.height;

  checkAbort(req.signal);
  await makeAssetDir(env.outRoot, path.join('private', assetId), made, { private: true });
  const credential = { profile, ...(env.configDir != null ? { configDir: env.configDir } : {}) };
  const master = await writeMaster(input, sha256, cls.format, path.join(privDir, name), rights, { width, height }, credential);
  warnings.push(...master.warnings);
  const outputs: Output[] = [...master.outputs];
  if (preview != null && plan != null) {
    checkAbort(req.signal);
    await makeAssetDir(env.outRoot, path.join('public', assetId), made);
    const stem = path.basename(name, path.extname(name));
    const dest = path.join(pubDir, `${stem}.preview.${plan.format === 'webp' ? 'webp' : 'jpg'}`);
    const written = await writePreview(preview.buffer, plan.format, dest, rights, { ...credential, parent: path.join(privDir, name) }, inputPath);
    warnings.push(...written.warnings);
    outputs.unshift(await describeOutput(dest, {
      visibility: 'public', purpose: 'preview', metadata: 'embedded', credential: written.credential,
      width: preview.width, height: preview.height, phash: await phash(preview.buffer),
    }));
  }

  const result: AssetResult = {
    assetId,
    source: req.source,
    input: {
      path: input, sha256, bytes, kind: cls.kind, sourceRich: cls.sourceRich, format: cls.format,
      ...(cls.role != null ? { role: cls.role } : {}),
      ...(width != null ? { width } : {}),
      ...(height != null ? { height } : {}),
      ...(inputPhash != null ? { phash: inputPhash } : {}),
      ...(photo ? { photo } : {}),
    },
    outputs,
    warnings: [...new Set(warnings)],
    ledgerSeq: null,
  };
  checkAbort(req.signal);
  if (env.ledger != null) result.ledgerSeq = (await env.ledger.append('asset.recorded', ledgerData(result, env.profile, req))).seq;
  const manifest: Manifest = { manifestVersion: 1, fingerprint, recordedAt: new Date().toISOString(), result };
  if (req.context != null) manifest.context = req.context;
  result.outputs.push(await writeManifest(privDir, manifest));
  return result;
}

/** A repeat of an already-processed asset: nothing is rewritten; it is recorded once if it never was. */
async function reuse(m: Manifest, privDir: string, req: ProcessRequest, env: PipelineEnv): Promise<AssetResult> {
  let result = m.result;
  if (env.ledger != null && result.ledgerSeq == null) {
    result = { ...result, ledgerSeq: (await env.ledger.append('asset.recorded', ledgerData(result, env.profile, req))).seq };
    m = { ...m, result };
  }
  const manifestOut = await writeManifestIfChanged(privDir, m, result !== m.result || result.ledgerSeq !== m.result.ledgerSeq);
  return { ...result, outputs: [...result.outputs, manifestOut] };
}

async function writeManifestIfChanged(privDir: string, m: Manifest, changed: boolean): Promise<Output> {
  if (changed) return writeManifest(privDir, m);
  return describeOutput(manifestFile(privDir, m.result), { visibility: 'private', purpose: 'manifest', metadata: 'none' });
}

function ledgerData(r: AssetResult, profile: Profile, req: ProcessRequest): Record<string, unknown> {
  return {
    assetId: r.assetId,
    source: req.source,
    input: r.input,
    outputs: r.outputs.map((o) => ({ path: o.path, visibility: o.visibility, purpose: o.purpose, sha256: o.sha256, bytes: o.bytes, ...(o.phash != null ? { phash: o.phash } : {}), ...(o.credential != null ? { credential: o.credential } : {}) })),
    creator: profile.creator,
    licence: profile.licence,
    dataMining: profile.dataMining,
    noticeVersion: profile.noticeVersion,
    termsVersion: profile.termsVersion,
    ...(req.context != null ? { context: req.context } : {}),
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

/** Runs the decoding steps; when a PNG fails to decode, says which chunk is broken instead of the decoder's words. */
async function decodeStage<T>(run: () => Promise<T>, png: string | null, label: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (png == null || !(err instanceof ColophonError) || err.key !== 'CORRUPT_FILE') throw err;
    const damage = await describePngDamage(png).catch(() => null);
    if (damage == null) throw err;
    throw new ColophonError('CORRUPT_FILE', `${label}: the PNG is damaged: ${damage}. Its picture cannot be trusted; restore it from a backup or export it again.`, { cause: err });
  }
}

async function inputHash(src: PixelSource, label: string): Promise<string> {
  try {
    return await phash(toSharpInput(src));
  } catch (err) {
    const detail = String((err as Error).message).split('\n')[0]!.replace(/^Vips\w*: /, '');
    throw new ColophonError('CORRUPT_FILE', `${label}: the picture data cannot be decoded (${detail}). The file is damaged or truncated; export it again.`, { cause: err });
  }
}

function toSharpInput(src: PixelSource): Parameters<typeof phash>[0] {
  if ('file' in src) return src.file;
  return sharpRaw(src);
}

function sharpRaw(src: { raw: Buffer; width: number; height: number }) {
  return sharp(src.raw, { raw: { width: src.width, height: src.height, channels: 3 } });
}

async function displayHash(display: string): Promise<string> {
  await statRegularFile(path.resolve(display), `the display rendition ${display}`);
  return (await sha256File(path.resolve(display))).sha256;
}

async function loadDisplay(display: string): Promise<{ cls: Classification; pixels: Pixels }> {
  const file = path.resolve(display);
  const cls = await classifyFile(file, 'f12');
  const pixels = await pixelSource(file, cls);
  if (pixels?.src == null) {
    throw new ColophonError('UNSUPPORTED_FORMAT', `the display rendition ${display} is a ${cls.format} file, not an image; pass a PNG, JPEG, TIFF or EXR.`);
  }
  return { cls, pixels };
}

/** Files and folders (walked file by file); one Failure per bad input, the rest still processed. */
export async function processPaths(
  paths: string[],
  req: ProcessRequest,
  env: PipelineEnv,
  onProgress?: ProgressFn,
): Promise<ProcessReport> {
  const { files, errors } = await expandInputs(paths, env.outRoot);
  const results: Array<AssetResult | null> = files.map(() => null);
  const failures: Array<Failure | null> = files.map(() => null);
  const queue = new PQueue({ concurrency: Math.max(1, Math.min(4, os.availableParallelism())) });
  let done = 0;
  onProgress?.(0, files.length);
  await Promise.all(
    files.map((file, i) =>
      queue.add(async () => {
        try {
          results[i] = await processFile(file, req, env);
        } catch (err) {
          failures[i] = toFailure(file, err);
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
