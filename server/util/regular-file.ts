import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { ColophonError } from '../errors.ts';

/**
 * Stats `file` and refuses anything but a regular file. This must come before any open: opening a FIFO blocks
 * until a writer appears (wedging a thread-pool slot for good), and a device such as /dev/zero never ends.
 */
export async function statRegularFile(file: string, label = file): Promise<Stats> {
  const st = await fs.stat(file);
  if (st.isFile()) return st;
  if (st.isDirectory()) throw new ColophonError('NOT_A_FILE', `${label} is a folder; pass a file.`);
  throw new ColophonError('NOT_A_FILE', `${label} is not a regular file (it is a ${specialKind(st)}); Colophon reads only ordinary files. Pass the file itself, not a device, pipe or socket.`);
}

function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'named pipe (FIFO)';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

/** Open flags for reading user inputs: O_NONBLOCK so that a file swapped for a FIFO after the stat cannot block the open. */
export const READ_INPUT_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
