import type fs from 'node:fs/promises';

/**
 * Appends `data` to the end of an append-mode file (currently `size` bytes long) and fsyncs it, or leaves the
 * file exactly as it was. A write may be short (a nearly full disk takes part of a line and then fails with
 * ENOSPC); the loop finishes it or, on any error, cuts the file back to `size`, so a half line never stays
 * behind to be mistaken for a record. Throws the original error after the cut.
 */
export async function appendWhole(fh: fs.FileHandle, size: number, data: Buffer): Promise<void> {
  try {
    for (let off = 0; off < data.length; ) {
      const { bytesWritten } = await fh.write(data, off, data.length - off);
      if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
      off += bytesWritten;
    }
    await fh.sync();
  } catch (err) {
    // Cutting back needs no free space; if even that fails the reader's torn-tail handling covers it.
    await fh.truncate(size).then(() => fh.sync()).catch(() => undefined);
    throw err;
  }
}
