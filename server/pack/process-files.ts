import fs from 'node:fs/promises';
import PQueue from 'p-queue';
import type { AssetResult, Failure } from '../../protocol/src/results.ts';
import { ColophonError } from '../errors.ts';
import { classifyFile } from '../pipeline/classify.ts';
import { toFailure } from '../pipeline/failure.ts';
import { processFile, type PipelineEnv, type ProcessRequest, type ProgressFn } from '../pipeline/process.ts';
import { sha256File } from '../util/hash.ts';
import { Journal, journalKey, outputsIntact } from './journal.ts';
import { scanOriginal, type OriginalScan } from './scan.ts';
import type { PackFile } from './walk.ts';

/** How one file of the pack came out. */
export type FileOutcome =
  | { file: PackFile; ok: true; result: AssetResult; scan: OriginalScan; reused: boolean }
  | { file: PackFile; ok: false; failure: Failure; sha256?: string };

export interface ProcessFilesOptions {
  env: PipelineEnv;
  journal: Journal;
  /** Fingerprint of the settings that shape outputs; a journal record from other settings is not reused. */
  settings: string;
  watermark: boolean;
  concurrency: number;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

/**
 * Processes every file with bounded concurrency. A file finished in an earlier run (same content, name
 * and settings, outputs still on disk) is taken from the journal instead of being processed again.
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
    sha256 = (await sha256File(file.abs)).sha256;
    await assertUnchanged(file);
    const key = journalKey(sha256, file.rel);
    const rec = opts.journal.get(key, opts.settings);
    if (rec != null && (await outputsIntact(rec.result))) {
      return { file, ok: true, result: withPath(rec.result, file.rel), scan: rec.scan, reused: true };
    }
    const cls = await classifyFile(file.abs, 'pack');
    const req: ProcessRequest = {
      source: 'pack',
      // Texture maps are shown on the material's contact sheet instead of one preview each.
      publicPreview: cls.kind === 'texture' ? 'never' : 'auto',
      ...(opts.watermark ? {} : { preview: { watermark: { placement: 'none' } } }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    const result = await processFile(file.abs, req, opts.env);
    await assertUnchanged(file);
    if (result.input.sha256 !== sha256) throw changed(file);
    const scan = await scanOriginal(file.abs);
    await opts.journal.append({ key, settings: opts.settings, result, scan });
    return { file, ok: true, result: withPath(result, file.rel), scan, reused: false };
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
