import fs from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../../protocol/src/results.ts';
import { toFailure } from './failure.ts';

const IGNORED = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/**
 * Expands files and folders into a sorted list of files. Hidden entries and anything under `skipRoot`
 * (the output root, so a second run never re-processes its own outputs) are passed over; links to folders
 * are not followed (no loops), links to files are.
 */
export async function expandInputs(inputs: string[], skipRoot?: string): Promise<{ files: string[]; errors: Failure[] }> {
  const files: string[] = [];
  const errors: Failure[] = [];
  const skip = skipRoot != null ? path.resolve(skipRoot) : null;
  for (const input of inputs) {
    const abs = path.resolve(input);
    try {
      const st = await fs.stat(abs);
      if (!st.isDirectory()) {
        files.push(abs);
        continue;
      }
      const before = files.length;
      await walk(abs, files, skip);
      if (files.length === before) {
        errors.push({ input, code: 'NOT_A_FILE', message: `${input} is a folder with no files to process in it.` });
      }
    } catch (err) {
      errors.push(toFailure(input, err));
    }
  }
  return { files: [...new Set(files)], errors };
}

async function walk(dir: string, out: string[], skip: string | null): Promise<void> {
  if (skip != null && (dir === skip || dir.startsWith(skip + path.sep))) return;
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || IGNORED.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out, skip);
    else if (e.isFile()) out.push(p);
    else if (e.isSymbolicLink()) {
      const st = await fs.stat(p).catch(() => null);
      if (st?.isFile() === true) out.push(p);
    }
  }
}
