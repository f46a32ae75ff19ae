import fs from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../../protocol/src/results.ts';
import { walkFiles } from '../util/walk-files.ts';
import { toFailure } from './failure.ts';

/**
 * Expands files and folders into a sorted list of files. Hidden entries and anything under `skipRoot`
 * (the output root, so a second run never re-processes its own outputs) are passed over; links to folders
 * are not followed (no loops), links to files are.
 */
export async function expandInputs(inputs: string[], skipRoot?: string): Promise<{ files: string[]; errors: Failure[] }> {
  const files: string[] = [];
  const errors: Failure[] = [];
  const skip = skipRoot ?? null;
  for (const input of inputs) {
    const abs = path.resolve(input);
    try {
      const st = await fs.stat(abs);
      if (!st.isDirectory()) {
        files.push(abs);
        continue;
      }
      const before = files.length;
      await walkFiles(abs, files, { skip });
      if (files.length === before) {
        errors.push({ input, code: 'NOT_A_FILE', message: `${input} is a folder with no files to process in it.` });
      }
    } catch (err) {
      errors.push(toFailure(input, err));
    }
  }
  return { files: [...new Set(files)], errors };
}
