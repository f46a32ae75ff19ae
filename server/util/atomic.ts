import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A sibling temp name: same folder (so rename is atomic), hidden, unique per call, and ending in the
 * final name's extension (exiftool decides how to write a file from its extension).
 */
export function tempNameFor(finalPath: string): string {
  const base = path.basename(finalPath);
  return path.join(path.dirname(finalPath), `.${base}.${randomBytes(6).toString('hex')}.tmp${path.extname(base)}`);
}

const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp(\.[^.]*)?$/;

/** True for a name tempNameFor makes (the last part of a path): something a crash may leave, never a finished output. */
export function isTempName(file: string): boolean {
  return TEMP_NAME.test(path.basename(file));
}

/**
 * Writes data to a temp name, fsyncs it, and renames it over the final name. The temp file is created with `mode`
 * (O_EXCL, so never through a planted link), so a secret is never readable by others, not even for a moment.
 */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempNameFor(finalPath);
  try {
    const fh = await fs.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, finalPath);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Creates `file` (O_EXCL: never through a planted link) holding `parts` one after another, written with as few
 * system calls as the OS allows and no joined copy of them in memory. Not synced: for a temp file that is synced
 * when it is moved into place.
 */
export async function writeNewFile(file: string, parts: Uint8Array[], mode = 0o644): Promise<void> {
  const fh = await fs.open(file, 'wx', mode);
  try {
    let pending = parts.filter((p) => p.length > 0);
    while (pending.length > 0) {
      let { bytesWritten } = await fh.writev(pending);
      // A short write (rare for a regular file) leaves the rest to be written by the next call.
      while (pending.length > 0 && bytesWritten >= pending[0]!.length) bytesWritten -= pending.shift()!.length;
      if (bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
    }
  } finally {
    await fh.close();
  }
}

/** Runs `produce(tmpPath)` and then renames the temp file into place; the temp is removed on failure. */
export async function produceAtomic<T>(finalPath: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  const tmp = tempNameFor(finalPath);
  try {
    const result = await produce(tmp);
    const fh = await fs.open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, finalPath);
    return result;
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Removes temp files left by a crash (names from tempNameFor). */
export async function sweepTempFiles(dir: string): Promise<number> {
  let removed = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removed += await sweepTempFiles(p);
    else if (isTempName(e.name)) {
      await fs.rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}
