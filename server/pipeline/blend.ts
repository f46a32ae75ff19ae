import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
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
      const { Decompress } = await import('fzstd');
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

/**
 * Validates a gzip- or zstd-compressed .blend the way validatePlainBlend does a plain one, by inflating it as a
 * stream (memory stays at one chunk) and walking the block headers as they go by: a cut stream, a block that runs
 * past the end or a missing ENDB is CORRUPT_FILE.
 */
export async function validateCompressedBlend(file: string, kind: 'gzip' | 'zstd'): Promise<void> {
  const walker = new BlockWalker(file);
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    if (kind === 'gzip') {
      const gunzip = createGunzip();
      stream.pipe(gunzip);
      for await (const c of gunzip) if (walker.feed(c as Buffer)) break;
      gunzip.destroy();
    } else {
      const { Decompress } = await import('fzstd');
      const d = new Decompress((c) => void walker.feed(Buffer.from(c)));
      for await (const c of stream) {
        d.push(new Uint8Array(c as Buffer));
        if (walker.done) break;
      }
    }
  } catch (err) {
    if (!walker.done) {
      throw new ColophonError('CORRUPT_FILE', `${file} is a ${kind}-compressed .blend that stops part-way (${(err as Error).message}): it is truncated or damaged. Re-save it from Blender or restore it from a backup.`, { cause: err });
    }
  } finally {
    stream.destroy();
  }
  walker.finish();
}

/** Block-header walk over a .blend fed in arbitrary pieces; `feed` returns true once ENDB is seen. */
class BlockWalker {
  done = false;
  private header: BlendHeader | null = null;
  private pending = Buffer.alloc(0);
  private skip = 0;
  private blocks = 0;
  private sawDna = false;
  constructor(private readonly file: string) {}

  feed(chunk: Buffer): boolean {
    let c = chunk;
    while (!this.done && c.length > 0) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, c.length);
        this.skip -= n;
        c = c.subarray(n);
        continue;
      }
      const want = this.header == null ? HEADER_LEN : this.header.pointerSize === 8 ? 24 : 20;
      const take = Math.min(want - this.pending.length, c.length);
      this.pending = Buffer.concat([this.pending, c.subarray(0, take)]);
      c = c.subarray(take);
      if (this.pending.length < want) break;
      const b = this.pending;
      this.pending = Buffer.alloc(0);
      if (this.header == null) {
        this.header = parseHeader(b, 'none', this.file);
        continue;
      }
      const code = b.subarray(0, 4).toString('latin1');
      const len = this.header.littleEndian ? b.readInt32LE(4) : b.readInt32BE(4);
      if (code === 'ENDB') {
        this.done = true;
        break;
      }
      if (len < 0) throw new ColophonError('CORRUPT_FILE', `${this.file} is damaged: block ${this.blocks} has a negative length. Re-save it from Blender.`);
      if (code === 'DNA1') this.sawDna = true;
      this.blocks++;
      this.skip = len;
    }
    return this.done;
  }

  finish(): void {
    if (!this.done) {
      throw new ColophonError('CORRUPT_FILE', `${this.file} is truncated: its compressed data ends inside block ${this.blocks}, before the end marker. Re-save it from Blender or restore it from a backup.`);
    }
    if (!this.sawDna) {
      throw new ColophonError('CORRUPT_FILE', `${this.file} has a .blend header but no scene data (${this.blocks} data blocks, no DNA1). It is empty or damaged; re-save it from Blender.`);
    }
  }
}
