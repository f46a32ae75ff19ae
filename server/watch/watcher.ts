import fs from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import PQueue from 'p-queue';
import type { AssetResult, Failure } from '../../protocol/src/results.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { clutterReason } from '../pack/walk.ts';
import { toFailure } from '../pipeline/failure.ts';
import { processFile, type PipelineEnv } from '../pipeline/process.ts';
import { sha256File } from '../util/hash.ts';

export interface WatchOptions {
  folder: string;
  env: PipelineEnv;
  /** How long a file's size must stay unchanged before it counts as fully written (ms). */
  stabilityMs?: number;
  /** One line per file (and a few about the watcher itself). */
  log: (line: string) => void;
  onResult?: (r: AssetResult) => void;
  onFailure?: (f: Failure) => void;
}

export interface Watching {
  /** Resolves once the initial scan is done. */
  ready: Promise<void>;
  /** Resolves when nothing is queued or being processed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Content already recorded in the ledger, so a restart does not record the same file twice. */
async function recordedHashes(ledger: Ledger | null): Promise<Set<string>> {
  const known = new Set<string>();
  if (ledger == null) return known;
  for (const e of await ledger.readAll()) {
    const input = (e.data as { input?: { sha256?: unknown } }).input;
    if (e.type === 'asset.recorded' && typeof input?.sha256 === 'string') known.add(input.sha256);
  }
  return known;
}

function inside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

/**
 * Watches an inbox folder and processes each file once it is fully written (source `watch`).
 * Files already there when watching starts are processed too, unless the ledger already records that
 * exact content; a file overwritten with new content (a re-render) is processed again. Bad files are
 * logged and skipped; the watcher keeps going.
 */
export async function startWatch(opts: WatchOptions): Promise<Watching> {
  const folder = await fs.realpath(opts.folder);
  const outRoot = path.resolve(opts.env.outRoot);
  const known = await recordedHashes(opts.env.ledger);
  const queue = new PQueue({ concurrency: 1 });
  const queued = new Set<string>();
  const rel = (p: string) => path.relative(folder, p).split(path.sep).join('/');

  const ignored = (p: string) => {
    if (p === folder) return false;
    if (inside(outRoot, p)) return true;
    const base = path.basename(p);
    return base.startsWith('.') || clutterReason(rel(p)) != null || /\.(part|crdownload|tmp)$/i.test(base) || /\.blend@$/.test(base);
  };

  const handle = async (file: string) => {
    queued.delete(file);
    const name = rel(file);
    try {
      const { sha256 } = await sha256File(file);
      if (known.has(sha256)) {
        opts.log(`= ${name}  already recorded (asset ${sha256.slice(0, 16)}), skipped`);
        return;
      }
      const r = await processFile(file, { source: 'watch' }, opts.env);
      known.add(r.input.sha256);
      const preview = r.outputs.find((o) => o.purpose === 'preview');
      opts.log(`✓ ${name}  ${r.input.kind} → asset ${r.assetId}${preview ? `  preview ${preview.path}` : ''}`);
      opts.onResult?.(r);
    } catch (err) {
      const f = toFailure(name, err);
      opts.log(`✗ ${name}  ${f.code}: ${f.message}`);
      opts.onFailure?.(f);
    }
  };

  const watcher: FSWatcher = watch(folder, {
    ignoreInitial: false,
    followSymlinks: false,
    atomic: true,
    awaitWriteFinish: { stabilityThreshold: opts.stabilityMs ?? 1000, pollInterval: 100 },
    ignored,
  });
  const enqueue = (file: string) => {
    if (queued.has(file)) return;
    queued.add(file);
    void queue.add(() => handle(file));
  };
  watcher.on('add', enqueue);
  watcher.on('change', enqueue);
  watcher.on('error', (err) => opts.log(`! watcher error: ${(err as Error).message}`));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    idle: () => queue.onIdle(),
    async close() {
      await watcher.close();
      await queue.onIdle();
    },
  };
}
