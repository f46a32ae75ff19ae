import fs from 'node:fs/promises';
import path from 'node:path';
import type { Output, ProcessReport } from '../../protocol/src/results.ts';
import { assertConfinedIfExists } from '../util/confine.ts';
import { ColophonError, toColophonError } from '../errors.ts';
import { filesAtOnce, type PipelineEnv, type ProgressFn } from '../pipeline/process.ts';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic.ts';
import { canonicalJson, sha256File, sha256Hex } from '../util/hash.ts';
import { findBlender, readBlendDeps, type BlendDeps } from './blend-deps.ts';
import { writeDelivery, zipNameFor } from './delivery.ts';
import { Journal } from './journal.ts';
import { MARKET_PROFILES, MARKET_RULES, type MarketProfile } from './markets.ts';
import { packNameFor } from './names.ts';
import { preflight, type FileFacts } from './preflight.ts';
import { previewNamer, processPackFiles, type FileOutcome } from './process-files.ts';
import { deliveredResults, recordDelivered } from './record.ts';
import { writePublicOutputs } from './public-outputs.ts';
import { CONTACT_SHEET_CELL } from './contact-sheet.ts';
import { reportMarkdown, type PackReport } from './report.ts';
import { walkFolder, type PackListing } from './walk.ts';
import { DEFAULT_ZIP_LIMITS, extractZipSafely, type ZipLimits } from './zip-input.ts';

export interface PackOptions {
  /** Outputs go under <outDir>/<pack-name>/. */
  outDir: string;
  market: MarketProfile;
  env: Omit<PipelineEnv, 'outRoot'>;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** Files processed at once (default 2). */
  concurrency?: number;
  /** Zip-bomb limits for zip input. */
  zipLimits?: Partial<ZipLimits>;
  /** The blender binary for .blend checks; null = do not check; default: found on PATH. */
  blender?: string | null;
}

export interface PackResult extends ProcessReport {
  archive: Output;
  /** The pre-flight report (report.json's content). */
  report: Record<string, unknown>;
  /** Previews and contact sheets in <out>/<pack>/public/. */
  public: Output[];
}

/** The hidden work area inside the pack's output: pipeline outputs, journal, extracted zip, sheet cache. */
const WORK_DIR = '.colophon-work';
const PACK_VERSION = 1;

async function isZip(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && (buffer[2] === 3 || buffer[2] === 5);
  } finally {
    await fh.close();
  }
}

/** Lists the pack: a folder is walked in place; a zip is checked for bombs and unsafe names, then extracted. */
async function listPack(input: string, outDir: string, work: string, limits: ZipLimits): Promise<{ listing: PackListing; root: string }> {
  let st;
  try {
    st = await fs.stat(input);
  } catch (err) {
    throw toColophonError(err);
  }
  if (st.isDirectory()) return { listing: await walkFolder(input, [outDir]), root: await fs.realpath(input) };
  if (!st.isFile() || !(await isZip(input))) {
    throw new ColophonError('UNSUPPORTED_FORMAT', `${input} is neither a folder nor a zip. Pass the pack's folder or a .zip of it.`);
  }
  const staging = path.join(work, 'input');
  // A different zip under the same name must not reuse entries extracted from the old one.
  const { sha256 } = await sha256File(input);
  const marker = path.join(work, 'input.sha256');
  const previous = await fs.readFile(marker, 'utf8').catch(() => '');
  if (previous.trim() !== sha256) {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(work, { recursive: true });
    await writeFileAtomic(marker, sha256 + '\n');
  }
  await fs.mkdir(staging, { recursive: true });
  return { listing: await extractZipSafely(input, staging, limits), root: staging };
}

/** Prepares a pack (folder or zip) for marketplace upload (issue 5). */
export async function runPack(input: string, opts: PackOptions): Promise<PackResult> {
  if (!MARKET_PROFILES.includes(opts.market)) {
    throw new ColophonError('INVALID_PARAMS', `Unknown market profile "${opts.market}". Use one of: ${MARKET_PROFILES.join(', ')}.`);
  }
  const src = path.resolve(input);
  const outDir = path.resolve(opts.outDir);
  const packName = packNameFor(src);
  const packOut = path.join(outDir, packName);
  const work = path.join(packOut, WORK_DIR);
  const rules = MARKET_RULES[opts.market];
  await fs.mkdir(work, { recursive: true });
  // A link at packs/<name> (or below it) must not take the pack's writes outside the output folder.
  for (const d of [work, path.join(packOut, 'public'), path.join(packOut, 'private')]) await assertConfinedIfExists(outDir, d);
  await sweepTempFiles(packOut);

  const { listing, root } = await listPack(src, outDir, work, { ...DEFAULT_ZIP_LIMITS, ...opts.env.profile.limits.zip, ...opts.zipLimits });
  if (listing.files.length === 0 && listing.failures.length === 0) {
    throw new ColophonError('EMPTY_FILE', `The pack ${input} has no files to prepare${listing.skipped.length > 0 ? ` (only ${listing.skipped.length} clutter file(s) left out)` : ''}. Put the renders, textures and .blend files in it and run pack again.`);
  }

  const { profile } = opts.env;
  const watermark = !rules.forbidsWatermarks;
  const settings = sha256Hex(canonicalJson({
    v: PACK_VERSION, watermark, preview: profile.preview, creator: profile.creator, copyright: profile.copyright,
    licence: profile.licence, dataMining: profile.dataMining, otherConstraints: profile.otherConstraints, webStatement: profile.webStatement,
  }));
  const journal = new Journal(path.join(work, 'journal.jsonl'));
  await journal.load();
  const previewFile = previewNamer(listing.files);
  let outcomes: FileOutcome[];
  try {
    // The pipeline writes into the pack's output folder: previews at their delivered place in public/, masters in
    // the work area (the zip's members). It records nothing yet: the ledger gets the delivered paths below.
    outcomes = await processPackFiles(listing.files, {
      env: { ...opts.env, outRoot: packOut, ledger: null }, journal, settings, watermark, concurrency: opts.concurrency ?? filesAtOnce(opts.env.profile),
      locksDir: path.join(WORK_DIR, 'locks'), thumbnailEdge: CONTACT_SHEET_CELL,
      layoutFor: (file, assetId) => ({ privateDir: path.join(WORK_DIR, 'private', assetId), previewFile: previewFile(file) }),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    await journal.close();
  }

  const publicOutputs = await writePublicOutputs(outcomes, {
    publicDir: path.join(packOut, 'public'), sheetCache: path.join(work, 'sheets'), profile, watermark,
    ...(opts.env.configDir != null ? { configDir: opts.env.configDir } : {}),
  });
  const blender = opts.blender === undefined ? findBlender() : opts.blender;
  const blendDeps = blender == null ? null : await checkBlends(blender, outcomes, path.join(work, 'blend-deps.json'), opts.signal);
  const delivery = await writeDelivery({
    packName, market: opts.market, profile, outcomes, listingFailures: listing.failures, skipped: listing.skipped,
    zipPath: path.join(packOut, 'private', zipNameFor(packName)),
    ...(opts.env.configDir != null ? { configDir: opts.env.configDir } : {}),
  });
  const delivered = deliveredResults(outcomes, delivery.archive.path, delivery.memberOf);
  if (opts.env.ledger != null) await recordDelivered(opts.env.ledger, delivered, profile);

  const facts: FileFacts[] = outcomes.map((o) => {
    if (!o.ok) return { rel: o.file.rel, abs: o.file.abs, bytes: o.file.bytes, processed: false };
    const i = o.result.input;
    const shown = o.result.outputs.find((x) => x.purpose === 'preview');
    return {
      rel: o.file.rel, abs: o.file.abs, bytes: i.bytes, processed: true, kind: i.kind, format: i.format, scan: o.scan,
      ...(i.width ? { width: i.width } : {}), ...(i.height ? { height: i.height } : {}),
      ...(shown ? { preview: { ...(shown.width ? { width: shown.width } : {}), ...(shown.height ? { height: shown.height } : {}) } } : {}),
    };
  });
  const { findings, notChecked } = preflight({
    market: opts.market, files: facts, root, blendDeps, watermarked: watermark && profile.preview.watermark.placement !== 'none',
    reservedNames: ['LICENSE.txt', 'README.txt', 'manifest.json', 'SHA256SUMS'],
  });
  if (rules.maxFileBytes != null && delivery.archive.bytes > rules.maxFileBytes) {
    findings.push({ id: 'archive-too-large', severity: 'fail', message: `The delivery zip is over ${rules.label}'s per-file limit; split the pack.` });
  }

  const results = delivered;
  const errors = [...listing.failures, ...outcomes.flatMap((o) => (o.ok ? [] : [o.failure]))];
  const rel = (p: string) => path.relative(packOut, p).split(path.sep).join('/');
  const report: PackReport = {
    pack: packName,
    market: opts.market,
    marketLabel: rules.label,
    created: new Date().toISOString(),
    ok: errors.length === 0 && !findings.some((f) => f.severity === 'fail'),
    summary: {
      files: listing.files.length + listing.failures.length + listing.skipped.length,
      processed: results.length,
      reused: outcomes.filter((o) => o.ok && o.reused).length,
      failed: errors.length,
      skipped: listing.skipped.length,
      previews: publicOutputs.filter((o) => o.purpose === 'preview').length,
      contactSheets: publicOutputs.filter((o) => o.purpose === 'contact-sheet').length,
      checksFailed: findings.filter((f) => f.severity === 'fail').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
    findings,
    notChecked,
    failures: errors.map((e) => ({ file: e.input, code: e.code, message: e.message })),
    skipped: listing.skipped.map((s) => ({ file: s.rel, reason: s.reason })),
    public: publicOutputs.map((o) => rel(o.path)),
    archive: { path: rel(delivery.archive.path), sha256: delivery.archive.sha256, bytes: delivery.archive.bytes },
  };
  await writeFileAtomic(path.join(packOut, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFileAtomic(path.join(packOut, 'report.md'), reportMarkdown(report));
  return { results, errors, archive: delivery.archive, report: report as unknown as Record<string, unknown>, public: publicOutputs };
}

/**
 * Asks Blender about every processed .blend, one at a time (each start costs about a second). Answers are
 * cached in the work area and reused while neither the .blend nor any other file of the pack changed.
 */
async function checkBlends(blender: string, outcomes: FileOutcome[], cacheFile: string, signal?: AbortSignal): Promise<Map<string, BlendDeps>> {
  const packState = sha256Hex(canonicalJson(outcomes.map((o) => [o.file.rel, o.file.bytes, o.file.mtimeMs])));
  const cache = JSON.parse(await fs.readFile(cacheFile, 'utf8').catch(() => '{}')) as Record<string, BlendDeps>;
  const fresh: Record<string, BlendDeps> = {};
  const deps = new Map<string, BlendDeps>();
  for (const o of outcomes) {
    if (!o.ok || o.result.input.kind !== 'blend') continue;
    if (signal?.aborted) throw new ColophonError('CANCELLED', 'Pack cancelled while checking .blend files; run pack again to finish.');
    const key = `${packState}:${o.result.input.sha256}:${o.file.rel}`;
    const answer = cache[key] ?? (await readBlendDeps(blender, o.file.abs, signal));
    fresh[key] = answer;
    deps.set(o.file.rel, answer);
  }
  await writeFileAtomic(cacheFile, JSON.stringify(fresh) + '\n');
  return deps;
}
