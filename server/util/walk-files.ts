import fs from 'node:fs/promises';
import path from 'node:path';

/** OS clutter that is never an asset. */
const CLUTTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

export interface WalkOptions {
  /** A folder (and everything under it) to pass over, e.g. the output root inside the input. */
  skip?: string | null;
  /** Stop after this many files. */
  limit?: number;
  /** Keep only files this accepts (the name is the file's base name). */
  accept?: (name: string) => boolean;
}

/**
 * Every file under `dir`, sorted, into `out`. Hidden entries and OS clutter are passed over; links to folders are
 * not followed (no loops), links to files are.
 */
export async function walkFiles(dir: string, out: string[], opts: WalkOptions = {}): Promise<void> {
  const skip = opts.skip != null ? path.resolve(opts.skip) : null;
  if (skip != null && (dir === skip || dir.startsWith(skip + path.sep))) return;
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (opts.limit != null && out.length >= opts.limit) return;
    if (e.name.startsWith('.') || CLUTTER.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walkFiles(p, out, opts);
    else if (e.isFile() || (e.isSymbolicLink() && (await fs.stat(p).catch(() => null))?.isFile() === true)) {
      if (opts.accept == null || opts.accept(e.name)) out.push(p);
    }
  }
}
