import zlib from 'node:zlib';
import { ColophonError } from '../errors.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const XMP_KEYWORD = 'XML:com.adobe.xmp';

interface Chunk {
  type: string;
  start: number;
  end: number;
  data: Buffer;
}

function chunks(png: Buffer, label: string): Chunk[] {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new ColophonError('CORRUPT_FILE', `${label} is not a PNG file.`);
  const out: Chunk[] = [];
  let pos = 8;
  while (pos + 12 <= png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + len;
    if (end > png.length) throw new ColophonError('CORRUPT_FILE', `${label} is truncated inside its ${type} chunk.`);
    out.push({ type, start: pos, end, data: png.subarray(pos + 8, pos + 8 + len) });
    pos = end;
    if (type === 'IEND') break;
  }
  if (out[0]?.type !== 'IHDR') throw new ColophonError('CORRUPT_FILE', `${label} has no IHDR chunk first.`);
  return out;
}

function isXmpChunk(c: Chunk): boolean {
  return c.type === 'iTXt' && c.data.subarray(0, XMP_KEYWORD.length + 1).toString('latin1') === `${XMP_KEYWORD}\0`;
}

/** The XMP packet a PNG already carries (uncompressed iTXt, as the XMP spec prescribes), or null. */
export function readPngXmp(png: Buffer, label: string): string | null {
  const c = chunks(png, label).find(isXmpChunk);
  if (c == null) return null;
  const d = c.data;
  const compressed = d[XMP_KEYWORD.length + 1] === 1;
  let p = XMP_KEYWORD.length + 3;
  p = d.indexOf(0, p) + 1; // language tag
  p = d.indexOf(0, p) + 1; // translated keyword
  if (p <= 0) return null;
  const text = d.subarray(p);
  // Bounded like metadata-guard's check (16 MiB), in case a caller skipped it.
  return (compressed ? zlib.inflateSync(text, { maxOutputLength: 16 << 20 }) : text).toString('utf8');
}

/**
 * The same PNG with `packet` as its only XMP chunk, placed right after IHDR (before the image data, where readers
 * look first). Every other chunk, text chunks included, is kept byte for byte.
 */
export function withPngXmp(png: Buffer, packet: string, label: string): Buffer {
  return Buffer.concat(pngXmpParts(png, packet, label));
}

/** withPngXmp's result as the pieces it is made of (views of `png` and the new chunk), for writing without a copy. */
export function pngXmpParts(png: Buffer, packet: string, label: string): Buffer[] {
  const all = chunks(png, label);
  const body = Buffer.concat([Buffer.from(`${XMP_KEYWORD}\0\0\0\0\0`, 'latin1'), Buffer.from(packet, 'utf8')]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write('iTXt', 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body, zlib.crc32(Buffer.from('iTXt', 'latin1'))));
  const parts: Buffer[] = [SIGNATURE, png.subarray(all[0]!.start, all[0]!.end), head, body, crc];
  const rest = all.slice(1);
  const last = rest.at(-1);
  // No XMP to drop (the usual case): the rest of the file goes across in one piece, not chunk by chunk.
  if (last != null && !rest.some(isXmpChunk)) parts.push(png.subarray(rest[0]!.start, last.end));
  else for (const c of rest) if (!isXmpChunk(c)) parts.push(png.subarray(c.start, c.end));
  return parts;
}
