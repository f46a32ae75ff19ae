import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ColophonError } from '../../errors.ts';
import { sha256File } from '../../util/hash.ts';
import { READ_INPUT_FLAGS, statRegularFile } from '../../util/regular-file.ts';
import type { InputSnapshot } from './context.ts';

/**
 * Inputs up to this size are read into memory once: hashed, classified, decoded, stamped and copied from that one
 * read. Larger ones (big EXRs, .blend files) are streamed; two at a time stay well inside the memory budget.
 */
const IN_MEMORY_MAX_BYTES = 96 << 20;

const READ_SLICE = 1 << 20;

export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new ColophonError('CANCELLED', 'Processing was cancelled before this file finished; nothing was left half-written.');
}

/** Stage 1: the input, read once and hashed. Refuses special files and a file that changes while it is read. */
export async function readInput(inputPath: string, signal?: AbortSignal): Promise<InputSnapshot> {
  const file = path.resolve(inputPath);
  checkAbort(signal);
  const before = await statRegularFile(file, inputPath);
  let snap: InputSnapshot;
  try {
    snap = before.size <= IN_MEMORY_MAX_BYTES ? await readWhole(file, before.size, signal) : { file, ...(await sha256File(file, signal)), data: null, mtimeMs: before.mtimeMs };
  } catch (err) {
    checkAbort(signal);
    throw err;
  }
  const after = await fs.stat(file);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || snap.bytes !== before.size) {
    throw new ColophonError('CHANGED_WHILE_READING', `${inputPath} changed while it was being read. Wait until it is fully written, then process it again.`);
  }
  return { ...snap, mtimeMs: before.mtimeMs };
}

async function readWhole(file: string, size: number, signal: AbortSignal | undefined): Promise<InputSnapshot> {
  const fh = await fs.open(file, READ_INPUT_FLAGS);
  try {
    // One byte more than the stat said, so a file that grew since is noticed.
    const data = Buffer.allocUnsafe(size + 1);
    const hash = createHash('sha256');
    let got = 0;
    // Read and hashed a slice at a time, so the event loop (other clients of the daemon) never waits long.
    while (got < data.length) {
      checkAbort(signal);
      const { bytesRead } = await fh.read(data, got, Math.min(READ_SLICE, data.length - got), got);
      if (bytesRead === 0) break;
      hash.update(data.subarray(got, got + bytesRead));
      got += bytesRead;
    }
    return { file, sha256: hash.digest('hex'), bytes: got, data: data.subarray(0, got), mtimeMs: 0 };
  } finally {
    await fh.close();
  }
}

/** Fails when the input on disk is no longer what was read (size or modification time moved). */
export async function assertInputUnchanged(snap: InputSnapshot, label: string): Promise<void> {
  const st = await fs.stat(snap.file);
  if (st.size !== snap.bytes || st.mtimeMs !== snap.mtimeMs) {
    throw new ColophonError('CHANGED_WHILE_READING', `${label} changed while it was being processed. Wait until the file is fully written and process it again.`);
  }
}
