import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ColophonError } from '../errors.ts';
import { tempNameFor } from '../util/atomic.ts';
import { clutterReason, type PackListing } from './walk.ts';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/src/limits.ts';

/** Bomb limits, checked against the central directory before a single byte is extracted (see ZipLimitsSchema). */
export type ZipLimits = Limits['zip'];

export const DEFAULT_ZIP_LIMITS: ZipLimits = DEFAULT_LIMITS.zip;

interface PlannedEntry {
  rel: string;
  entry: yauzl.Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Why an entry name is unsafe to extract, or null. Checked on the raw name, before any normalising. */
export function unsafeNameReason(name: string): string | null {
  if (name.includes('\0')) return 'its name contains a NUL byte';
  if (/^[a-zA-Z]:/.test(name) || name.startsWith('/') || name.startsWith('\\')) {
    return 'its name is an absolute path';
  }
  if (name.split(/[\\/]/).includes('..')) return 'its name climbs out of the folder with ".."';
  return null;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zf) =>
      err ? reject(err) : resolve(zf),
    );
  });
}

function readEntries(zf: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zf.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zf.readEntry();
    });
    zf.once('end', () => resolve(out));
    zf.once('error', reject);
    zf.readEntry();
  });
}

function entryName(e: yauzl.Entry): string {
  const raw = e.fileName as unknown as Buffer;
  return yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, raw, e.extraFields, true);
}

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;

/**
 * Reads a zip's central directory, refuses bombs outright, and extracts every safe entry into
 * `destDir` (each one atomically; an entry already extracted with the right size is kept, so a
 * second run does not unpack again). Unsafe entries become failures and are never written.
 */
export async function extractZipSafely(zipPath: string, destDir: string, limits = DEFAULT_ZIP_LIMITS): Promise<PackListing> {
  let zf: yauzl.ZipFile;
  try {
    zf = await openZip(zipPath);
  } catch (err) {
    throw new ColophonError('CORRUPT_FILE', `${path.basename(zipPath)} is not a readable zip (${(err as Error).message}). Re-create the zip or pass the folder instead.`, { cause: err });
  }
  try {
    const zipName = path.basename(zipPath);
    if (zf.entryCount > limits.maxEntries) {
      throw new ColophonError(
        'UNSAFE_ARCHIVE',
        `${zipName} declares ${zf.entryCount} entries, more than the ${limits.maxEntries} allowed; refused before extracting anything (it looks like a zip bomb). Split the pack into smaller zips.`,
      );
    }
    let entries: yauzl.Entry[];
    try {
      entries = await readEntries(zf);
    } catch (err) {
      throw new ColophonError('CORRUPT_FILE', `${zipName} has a damaged directory (${(err as Error).message}). Re-create the zip.`, { cause: err });
    }
    const listing: PackListing = { files: [], failures: [], skipped: [] };
    const plan: PlannedEntry[] = [];
    const seen = new Set<string>();
    let total = 0;
    for (const entry of entries) {
      const name = entryName(entry);
      const unsafe = unsafeNameReason(name);
      if (unsafe != null) {
        listing.failures.push({ input: name, code: 'UNSAFE_ARCHIVE', message: `Not extracted: ${unsafe}, so it would be written outside the pack. Re-create the zip with relative paths.` });
        continue;
      }
      const rel = name.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
      if (rel.endsWith('/')) continue; // folder entry
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) {
        listing.failures.push({ input: rel, code: 'UNSAFE_ARCHIVE', message: 'Not extracted: this zip entry is a symlink, which could point anywhere. Put the real file in the zip instead.' });
        continue;
      }
      if (entry.isEncrypted()) {
        listing.failures.push({ input: rel, code: 'UNSUPPORTED_FORMAT', message: 'This entry is encrypted; Colophon cannot read it. Zip the pack without a password.' });
        continue;
      }
      const clutter = clutterReason(rel);
      if (clutter != null) {
        listing.skipped.push({ rel, reason: clutter });
        continue;
      }
      if (seen.has(rel)) {
        listing.failures.push({ input: rel, code: 'UNSAFE_ARCHIVE', message: 'The zip holds this name twice; only the first copy was used. Remove the duplicate.' });
        continue;
      }
      seen.add(rel);
      const size = entry.uncompressedSize;
      if (size >= 1024 ** 2 && size / Math.max(1, entry.compressedSize) > limits.maxRatio) {
        throw new ColophonError(
          'UNSAFE_ARCHIVE',
          `${zipName}: entry "${rel}" would expand from ${entry.compressedSize} bytes to ${mib(size)} (over ${limits.maxRatio}:1); refused before extracting anything (it looks like a zip bomb).`,
        );
      }
      total += size;
      plan.push({ rel, entry });
    }
    if (total > limits.maxTotalBytes) {
      throw new ColophonError(
        'UNSAFE_ARCHIVE',
        `${zipName} would expand to ${mib(total)}, more than the ${mib(limits.maxTotalBytes)} allowed; refused before extracting anything. Split the pack into smaller zips.`,
      );
    }
    const zipBytes = (await fs.stat(zipPath)).size;
    if (total > limits.ratioFloorBytes && total / Math.max(1, zipBytes) > limits.maxTotalRatio) {
      throw new ColophonError(
        'UNSAFE_ARCHIVE',
        `${zipName} (${mib(zipBytes)}) would expand to ${mib(total)} in ${plan.length} entries, over ${limits.maxTotalRatio}:1 overall; refused before extracting anything (it looks like a zip bomb). If the pack is genuine, unzip it yourself and pass the folder.`,
      );
    }
    // A zip made by compressing the pack's folder holds everything under that one folder: that folder is the pack.
    const top = commonTopFolder(plan.map((p) => p.rel));
    await checkFreeSpace(zipName, destDir, plan, top);
    for (const { rel: full, entry } of plan) {
      const rel = full.slice(top.length);
      const dest = path.resolve(destDir, rel);
      if (!dest.startsWith(path.resolve(destDir) + path.sep)) {
        listing.failures.push({ input: rel, code: 'UNSAFE_ARCHIVE', message: 'Not extracted: the name resolves outside the pack.' });
        continue;
      }
      try {
        await extractEntry(zf, entry, dest);
        const st = await fs.stat(dest);
        listing.files.push({ rel, abs: dest, bytes: st.size, mtimeMs: st.mtimeMs });
      } catch (err) {
        listing.failures.push({ input: rel, code: 'CORRUPT_FILE', message: `Could not extract this entry (${(err as Error).message}). Re-create the zip.` });
      }
    }
    listing.files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    return listing;
  } finally {
    zf.close();
  }
}

/** 'Name/' when every entry sits under the same single top folder, else ''. */
export function commonTopFolder(rels: string[]): string {
  const first = rels[0]?.split('/')[0];
  if (first == null || rels.some((r) => !r.startsWith(`${first}/`))) return '';
  return `${first}/`;
}

async function extractEntry(zf: yauzl.ZipFile, entry: yauzl.Entry, dest: string): Promise<void> {
  const existing = await fs.stat(dest).catch(() => null);
  if (existing?.isFile() && existing.size === entry.uncompressedSize) return;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zf.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const tmp = tempNameFor(dest);
  try {
    await pipeline(stream, createWriteStream(tmp, { flags: 'wx' }));
    const mtime = entry.getLastModDate();
    await fs.utimes(tmp, mtime, mtime);
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Refuses (before extracting anything) a zip whose entries still to extract do not fit on the drive, with room to spare. */
async function checkFreeSpace(zipName: string, destDir: string, plan: PlannedEntry[], top: string): Promise<void> {
  let needed = 0;
  for (const { rel, entry } of plan) {
    const st = await fs.stat(path.resolve(destDir, rel.slice(top.length))).catch(() => null);
    if (st?.isFile() !== true || st.size !== entry.uncompressedSize) needed += entry.uncompressedSize;
  }
  if (needed === 0) return;
  const sfs = await fs.statfs(destDir).catch(() => null);
  if (sfs == null) return; // no statfs on this platform/filesystem: extraction itself will fail cleanly with DISK_FULL
  const free = sfs.bavail * sfs.bsize;
  // The stamped copies and the delivery zip need about as much again, so ask for the extracted size plus a margin.
  if (needed + 64 * 1024 ** 2 > free) {
    throw new ColophonError(
      'DISK_FULL',
      `${zipName} would expand to ${mib(needed)} but the drive holding the pack's output has only ${mib(free)} free; refused before extracting anything. Free some space (or choose another --out) and run again; nothing was half-written.`,
    );
  }
}
