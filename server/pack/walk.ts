import fs from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../../protocol/src/results.ts';
import { ColophonError } from '../errors.ts';
import { toPosix } from './names.ts';

/** One file of the pack, as found on disk. */
export interface PackFile {
  /** Path inside the pack, forward slashes. */
  rel: string;
  /** Where to read it. */
  abs: string;
  bytes: number;
  mtimeMs: number;
}

/** A file deliberately left out of the pack (OS clutter, Blender backups), with the reason. */
export interface Skipped {
  rel: string;
  reason: string;
}

export interface PackListing {
  files: PackFile[];
  /** Per-entry problems (Failure.input is the path inside the pack). */
  failures: Failure[];
  skipped: Skipped[];
}

const MAX_PACK_FILES = 50_000;

/** Why a name is clutter that should not ship, or null when it belongs in the pack. */
export function clutterReason(rel: string): string | null {
  const parts = rel.split('/');
  const base = parts[parts.length - 1] ?? rel;
  if (parts.includes('__MACOSX')) return 'macOS resource-fork folder, not part of the pack';
  if (/^(\.DS_Store|Thumbs\.db|desktop\.ini)$/i.test(base)) return 'operating-system clutter, not part of the pack';
  if (/\.blend\d+$/i.test(base)) return 'Blender backup file (.blend1, .blend2 …); ship the .blend itself';
  if (/^\..+\.[0-9a-f]{12}\.tmp$/.test(base) || base.endsWith('~')) return 'temporary file left by an editor or a crash';
  return null;
}

function within(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

/**
 * Lists every file under a pack folder without following anything out of it: symlinks that leave the
 * pack, loops, broken links and special files become failures; `exclude` folders (the output, when it
 * sits inside the pack) are not entered at all.
 */
export async function walkFolder(root: string, exclude: string[] = []): Promise<PackListing> {
  const realRoot = await fs.realpath(root);
  const excluded = await Promise.all(exclude.map(async (e) => fs.realpath(e).catch(() => path.resolve(e))));
  const listing: PackListing = { files: [], failures: [], skipped: [] };
  const fail = (rel: string, code: Failure['code'], message: string) => listing.failures.push({ input: rel, code, message });
  const stack: string[] = [''];
  while (stack.length > 0) {
    const dirRel = stack.pop()!;
    const dirAbs = path.join(realRoot, dirRel);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      fail(toPosix(dirRel) || '.', 'UNREADABLE', `Cannot read the folder (${(err as Error).message}). Check its permissions.`);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = toPosix(path.join(dirRel, e.name));
      const abs = path.join(dirAbs, e.name);
      if (excluded.some((x) => x === abs)) continue;
      const clutter = clutterReason(rel);
      if (clutter != null && !e.isDirectory()) {
        listing.skipped.push({ rel, reason: clutter });
        continue;
      }
      if (e.isDirectory()) {
        if (e.name === '__MACOSX') listing.skipped.push({ rel: rel + '/', reason: clutter ?? 'clutter' });
        else stack.push(path.join(dirRel, e.name));
        continue;
      }
      if (e.isSymbolicLink()) {
        await addSymlink(realRoot, rel, abs, listing, fail);
        continue;
      }
      if (!e.isFile()) {
        fail(rel, 'NOT_A_FILE', 'This is not a regular file (a device, socket or pipe). Remove it from the pack.');
        continue;
      }
      try {
        const st = await fs.stat(abs);
        listing.files.push({ rel, abs, bytes: st.size, mtimeMs: st.mtimeMs });
      } catch (err) {
        fail(rel, 'UNREADABLE', `Cannot read this file (${(err as Error).message}). Check its permissions.`);
      }
      if (listing.files.length > MAX_PACK_FILES) {
        throw new ColophonError(
          'TOO_LARGE',
          `The pack has more than ${MAX_PACK_FILES} files. Split it into smaller packs and run pack on each.`,
        );
      }
    }
  }
  listing.files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return listing;
}

async function addSymlink(
  realRoot: string,
  rel: string,
  abs: string,
  listing: PackListing,
  fail: (rel: string, code: Failure['code'], message: string) => void,
): Promise<void> {
  let target: string;
  try {
    target = await fs.realpath(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      fail(rel, 'UNSAFE_ARCHIVE', 'This symlink points back to itself (a symlink loop). Replace it with the real file.');
    } else {
      fail(rel, 'FILE_NOT_FOUND', 'This symlink points to something that does not exist. Replace it with the real file.');
    }
    return;
  }
  if (!within(realRoot, target)) {
    fail(
      rel,
      'UNSAFE_ARCHIVE',
      `This symlink points outside the pack (to ${target}); buyers would not get that file. Copy the real file into the pack instead.`,
    );
    return;
  }
  const st = await fs.stat(target);
  if (st.isDirectory()) {
    listing.skipped.push({ rel, reason: 'symlinked folder not followed (it would list files twice); copy the folder into the pack if it belongs there' });
    return;
  }
  if (!st.isFile()) {
    fail(rel, 'NOT_A_FILE', 'This symlink points to something that is not a regular file. Remove it from the pack.');
    return;
  }
  listing.files.push({ rel, abs, bytes: st.size, mtimeMs: st.mtimeMs });
}
