import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ColophonError } from '../errors.ts';

const MAX_ENTRIES = 20_000;
const MAX_TOTAL_BYTES = 32 * 1024 ** 3;

export async function isZip(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    await fh.close();
  }
}

/**
 * SHA-256 of every file inside a zip, streamed entry by entry (nothing is extracted to disk), so a delivered
 * pack archive can be traced back to the assets whose private copies it holds.
 */
export async function hashZipEntries(file: string): Promise<Array<{ name: string; sha256: string }>> {
  const zf = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
  ).catch((err: Error) => {
    throw new ColophonError('CORRUPT_FILE', `${file} is not a readable zip (${err.message}).`, { cause: err });
  });
  try {
    if (zf.entryCount > MAX_ENTRIES) throw new ColophonError('UNSAFE_ARCHIVE', `${file} has ${zf.entryCount} entries, more than ${MAX_ENTRIES}.`);
    const out: Array<{ name: string; sha256: string }> = [];
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      zf.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return zf.readEntry();
        total += e.uncompressedSize;
        if (total > MAX_TOTAL_BYTES) return reject(new ColophonError('UNSAFE_ARCHIVE', `${file} unpacks to more than 32 GiB.`));
        zf.openReadStream(e, (err, stream) => {
          if (err) return reject(err);
          const h = createHash('sha256');
          (stream as Readable).on('data', (c: Buffer) => h.update(c));
          (stream as Readable).once('error', reject);
          (stream as Readable).once('end', () => {
            out.push({ name: e.fileName, sha256: h.digest('hex') });
            zf.readEntry();
          });
        });
      });
      zf.once('end', () => resolve());
      zf.once('error', reject);
      zf.readEntry();
    });
    return out;
  } catch (err) {
    if (err instanceof ColophonError) throw err;
    throw new ColophonError('CORRUPT_FILE', `${file} could not be read as a zip (${(err as Error).message}).`, { cause: err });
  } finally {
    zf.close();
  }
}
