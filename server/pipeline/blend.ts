import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ColophonError } from '../errors.ts';

export interface BlendHeader {
  compression: 'none' | 'gzip' | 'zstd';
  pointerSize: 4 | 8;
  littleEndian: boolean;
  version: string;
}

const HEADER_LEN = 12;

function parseHeader(b: Buffer, compression: BlendHeader['compression'], file: string): BlendHeader {
  const magic = b.subarray(0, 7).toString('latin1');
  const ptr = String.fromCharCode(b[7] ?? 0);
  const end = String.fromCharCode(b[8] ?? 0);
  const version = b.subarray(9, 12).toString('latin1');
  if (magic !== 'BLENDER' || !'_-'.includes(ptr) || !'vV'.includes(end) || !/^\d{3}$/.test(version)) {
    throw new ColophonError('CORRUPT_FILE', `${file} does not start with a valid .blend header. Re-save it from Blender.`);
  }
  return { compression, pointerSize: ptr === '_' ? 4 : 8, littleEndian: end === 'v', version };
}

/** Reads the first bytes of a compressed .blend by inflating only as much as needed. */
async function inflatedHead(file: string, kind: 'gzip' | 'zstd', want: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    if (kind === 'gzip') {
      const gunzip = createGunzip();
      stream.pipe(gunzip);
      for await (const c of gunzip) {
        chunks.push(c as Buffer);
        have += (c as Buffer).length;
        if (have >= want) break;
      }
      gunzip.destroy();
    } else {
      const d = new Decompress((c) => {
        chunks.push(Buffer.from(c));
        have += c.length;
      });
      for await (const c of stream) {
        d.push(new Uint8Array(c as Buffer));
        if (have >= want) break;
      }
    }
  } catch (err) {
    if (have < want) throw new ColophonError('CORRUPT_FILE', `${file} is a ${kind}-compressed file that cannot be inflated (${(err as Error).message}). It is damaged or truncated.`, { cause: err });
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, want);
}

/** Checks a gzip or zstd stream inflates to a .blend header. */
export async function compressedBlendHeader(file: string, kind: 'gzip' | 'zstd'): Promise<BlendHeader | null> {
  const head = await inflatedHead(file, kind, HEADER_LEN);
  if (head.subarray(0, 7).toString('latin1') !== 'BLENDER') return null;
  return parseHeader(head, kind, file);
}

/**
 * Validates an uncompressed .blend by walking its block headers: every block must fit in the file, a DNA1
 * (struct layout) block must exist and the file must end with ENDB. A header-only or truncated file fails.
 */
export async function validatePlainBlend(file: string): Promise<BlendHeader> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const first = Buffer.alloc(HEADER_LEN);
    await fh.read(first, 0, HEADER_LEN, 0);
    const header = parseHeader(first, 'none', file);
    const bhLen = header.pointerSize === 8 ? 24 : 20;
    const bh = Buffer.alloc(bhLen);
    let pos = HEADER_LEN;
    let blocks = 0;
    let sawDna = false;
    for (;;) {
      if (pos + bhLen > size) {
        throw new ColophonError('CORRUPT_FILE', `${file} is truncated: it stops inside block ${blocks} before the end marker. Re-save it from Blender or restore it from a backup.`);
      }
      await fh.read(bh, 0, bhLen, pos);
      const code = bh.subarray(0, 4).toString('latin1');
      const len = header.littleEndian ? bh.readInt32LE(4) : bh.readInt32BE(4);
      if (code === 'ENDB') break;
      if (len < 0 || pos + bhLen + len > size) {
        throw new ColophonError('CORRUPT_FILE', `${file} is damaged: block ${blocks} ("${code.replace(/[^\x20-\x7e]/g, '?')}") runs past the end of the file. Re-save it from Blender.`);
      }
      if (code === 'DNA1') sawDna = true;
      blocks++;
      pos += bhLen + len;
    }
    if (blocks === 0 || !sawDna) {
      throw new ColophonError('CORRUPT_FILE', `${file} has a .blend header but no scene data (${blocks} data blocks, no DNA1). It is empty or damaged; re-save it from Blender.`);
    }
    return header;
  } finally {
    await fh.close();
  }
}
