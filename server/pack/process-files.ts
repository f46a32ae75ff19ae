import fs from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import type { AssetResult, Failure } from '../../protocol/src/results.ts';
import { ColophonError } from '../errors.ts';
import { toFailure } from '../pipeline/failure.ts';
import { runStages, type PipelineEnv, type ProcessRequest, type ProgressFn } from '../pipeline/process.ts';
import type { OutputLayout } from '../pipeline/stages/context.ts';
import { readInput } from '../pipeline/stages/read-input.ts';
import { Journal, journalKey, outputsIntact } from './journal.ts';
import { scanOriginal, type OriginalScan } from './scan.ts';
import type { PackFile } from './walk.ts';

/** How one file of the pack came out. */
export type FileOutcome =
  | { file: PackFile; ok: true; result: AssetResult; scan: OriginalScan; reused: boolean; thumbnail?: Buffer }
  | { file: PackFile; ok: false; failure: Failure; sha256?: string };

export interface ProcessFilesOptions {
  /** The pipeline's environment; its output root is the pack's output folder. */
  env: PipelineEnv;
  journal: Journal;
  /** Fingerprint of the settings that shape outputs; a journal record from other settings is not reused. */
  settings: string;
  watermark: boolean;
  concurrency: number;
  /** Where each file's outputs go inside the pack's output folder (previews at their delivered place). */
  layoutFor: (file: PackFile, assetId: string) => OutputLayout;
  /** Folder of the per-asset locks, relative to the output root. */
  locksDir: string;
  /** Edge of a contact-sheet cell: texture maps keep a thumbnail of that size from their one decode. */
  thumbnailEdge: number;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

/**
 * Processes every file with bounded concurrency. A file finished in an earlier run (same content, place and
 * settings, outputs still on disk) is taken from the journal instead of being processed again.
 */
export async function processPackFiles(files: PackFile[], opts: ProcessFilesOptions): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = new Array(files.length);
  const queue = new PQueue({ concurrency: opts.concurrency });
  let done = 0;
  opts.onProgress?.(0, files.length);
  // On abort, queued tasks still run but return at once (clearing the queue would leave their promises pending).
  await Promise.all(
    files.map((file, i) =>
      queue.add(async () => {
        if (opts.signal?.aborted) return;
        opts.onProgress?.(done, files.length, file.rel);
        outcomes[i] = await processOne(file, opts);
        opts.onProgress?.(++done, files.length, file.rel);
      }),
    ),
  );
  if (opts.signal?.aborted) {
    throw new ColophonError('CANCELLED', `Pack cancelled after ${done} of ${files.length} files. Finished files are kept; run pack again to continue where it stopped.`);
  }
  return outcomes;
}

async function processOne(file: PackFile, opts: ProcessFilesOptions): Promise<FileOutcome> {
  let sha256: string | undefined;
  try {
    const input = await readInput(file.abs, opts.signal);
    sha256 = input.sha256;
    if (input.bytes !== file.bytes || input.mtimeMs !== file.mtimeMs) throw changed(file);
    const key = journalKey(sha256, file.rel);
    const rec = opts.journal.get(key, opts.settings);
    if (rec != null && (await outputsIntact(rec.result))) {
      return { file, ok: true, result: withPath(rec.result, file.rel), scan: rec.scan, reused: true };
    }
    const req: ProcessRequest = {
      source: 'pack',
      // Texture maps are shown on the material's contact sheet instead of one preview each.
      texturePreviews: false,
      thumbnailEdge: opts.thumbnailEdge,
      ...(opts.watermark ? {} : { preview: { watermark: { placement: 'none' } } }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    const { result, ctx } = await runStages(file.abs, req, opts.env, {
      input, record: false, locksDir: opts.locksDir, layout: (assetId) => opts.layoutFor(file, assetId),
    });
    await assertUnchanged(file);
    const scan = await scanOriginal(file.abs);
    await opts.journal.append({ key, settings: opts.settings, result, scan });
    const thumbnail = ctx?.thumbnail ?? undefined;
    return { file, ok: true, result: withPath(result, file.rel), scan, reused: false, ...(thumbnail != null ? { thumbnail } : {}) };
  } catch (err) {
    const failure = toFailure(file.rel, err);
    // Messages name the file by its place in the pack, never the seller's local folders.
    failure.message = failure.message.replaceAll(file.abs, file.rel);
    return { file, ok: false, failure, ...(sha256 != null ? { sha256 } : {}) };
  }
}

/** Results name the file by its path inside the pack (never the seller's local folders). */
function withPath(r: AssetResult, rel: string): AssetResult {
  return { ...r, input: { ...r.input, path: rel } };
}

function changed(file: PackFile): ColophonError {
  return new ColophonError(
    'CHANGED_WHILE_READING',
    `${file.rel} changed while the pack was being made. Wait until it is fully written (or stop the program writing it), then run pack again.`,
  );
}

/** The file must still be what the walk saw: same size and modification time. */
async function assertUnchanged(file: PackFile): Promise<void> {
  const st = await fs.stat(file.abs);
  if (st.size !== file.bytes || st.mtimeMs !== file.mtimeMs) throw changed(file);
}

/** Image extensions that get a preview of their own: two of them with one stem in a folder keep their extension. */
const PREVIEWED = /\.(png|jpe?g|tiff?|webp|gif|avif|hei[cf]|exr|hdr)$/i;

/**
 * Preview names inside `public/`, decided from the listing before anything is processed: `<dir>/<stem>.preview.<ext>`,
 * or `<dir>/<name>.preview.<ext>` when a.png and a.jpg would both become a.preview.jpg.
 */
export function previewNamer(files: PackFile[]): (file: PackFile) => (ext: string) => string {
  const key = (rel: string) => `${path.posix.dirname(rel)}/${path.posix.basename(rel, path.posix.extname(rel))}`.toLowerCase();
  const counts = new Map<string, number>();
  for (const f of files) if (PREVIEWED.test(f.rel)) counts.set(key(f.rel), (counts.get(key(f.rel)) ?? 0) + 1);
  return (file) => {
    const dir = path.posix.dirname(file.rel);
    const base = (counts.get(key(file.rel)) ?? 0) > 1 ? path.posix.basename(file.rel) : path.posix.basename(file.rel, path.posix.extname(file.rel));
    return (ext) => path.join('public', dir === '.' ? '' : dir, `${base}.preview.${ext}`);
  };
}
