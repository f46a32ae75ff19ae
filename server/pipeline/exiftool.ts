import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { ExifTool } from 'exiftool-vendored';
import { spawnGuarded } from '../util/child.ts';
import { DEFAULT_LIMITS } from '../../protocol/src/limits.ts';

/**
 * Address-space cap per exiftool process. Perl needs ~30 MB for ordinary files; a metadata bomb (a few MB of
 * compressed XMP that inflates to GiBs) fails there with "Out of memory" instead of growing to 4 GB.
 */
export const EXIFTOOL_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

const require = createRequire(import.meta.url);
type Vendored = typeof import('exiftool-vendored');
let vendored: Vendored | null = null;

/**
 * exiftool-vendored, loaded on first use: some 25 modules (with batch-cluster and luxon), about 0.1 s of start-up,
 * that a `colophon process` of renders never needs, because it stamps from the kept templates.
 */
function exiftoolVendored(): Vendored {
  vendored ??= require('exiftool-vendored') as Vendored;
  return vendored;
}

/** The path of the exiftool script the pool runs. */
export function exiftoolScript(): Promise<string> {
  return exiftoolVendored().exiftoolPath();
}

let version: Promise<string> | null = null;

/**
 * The version of the vendored exiftool (its package's), read without loading exiftool-vendored. The package is
 * the one exiftool-vendored itself requires for this platform; "unknown" when it is not installed.
 */
export function vendoredExiftoolVersion(): Promise<string> {
  version ??= (async () => {
    const own = createRequire(require.resolve('exiftool-vendored'));
    const manifest = own.resolve(`exiftool-vendored.${process.platform === 'win32' ? 'exe' : 'pl'}/package.json`);
    return String((JSON.parse(await fs.readFile(manifest, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  })().catch(() => 'unknown');
  return version;
}

/**
 * A new exiftool pool (stay_open). Each perl process is started through the child guard, so it dies with us even
 * after a kill -9 (exiftool itself waits on its closed stdin forever) and cannot use more than the cap above.
 */
export function openExifTool(taskTimeoutMs: number = DEFAULT_LIMITS.timeouts.exiftoolTaskMs): ExifTool {
  const { ExifTool, DefaultExiftoolArgs } = exiftoolVendored();
  let script: Promise<string> | null = null; // found once per pool, not again for every perl process
  const et = new ExifTool({
    // One perl per core (at least two): stamping and read-backs of parallel files do not queue behind each other.
    maxProcs: Math.max(2, os.availableParallelism()),
    taskTimeoutMillis: taskTimeoutMs,
    writeArgs: ['-overwrite_original'],
    processFactory: async () =>
      spawnGuarded(await (script ??= exiftoolScript()), DefaultExiftoolArgs, {
        stdio: 'pipe',
        env: { ...process.env, LANG: 'C' },
        maxMemoryBytes: EXIFTOOL_MAX_MEMORY_BYTES,
      }),
  });
  // When a perl process dies mid-task (e.g. at the memory cap), batch-cluster retries or fails the task on a
  // later tick; until then nothing holds the event loop, and a CLI run could exit with its work unanswered.
  et.on('childEnd', () => {
    if (et.pendingTasks > 0 && !et.ended) setTimeout(() => undefined, 2000);
  });
  return et;
}

/** The pool of the daemon whose request is running (see withExifTool), if any. */
const scoped = new AsyncLocalStorage<ExifTool>();
let shared: ExifTool | null = null;

/** Runs `fn` (and everything it awaits) with `et` as the pool getExifTool() returns: how the daemon lends its own. */
export function withExifTool<T>(et: ExifTool, fn: () => T): T {
  return scoped.run(et, fn);
}

/** The pool to use: the daemon's own inside a daemon request, else one process-wide pool created on first use (CLI). */
export function getExifTool(): ExifTool {
  const own = scoped.getStore();
  if (own != null) return own;
  shared ??= openExifTool();
  return shared;
}

/** Ends the process-wide pool; safe to call more than once. A daemon's own pool is ended by the daemon. */
export async function closeExifTool(): Promise<void> {
  const et = shared;
  shared = null;
  if (et != null) await et.end();
}
