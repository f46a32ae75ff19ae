// Small files that claim huge metadata, built in milliseconds (no GiB is ever deflated or written).
import zlib from 'node:zlib';
import sharp from 'sharp';

const CHUNK = 16 << 20;
let block: Buffer | null = null;

/** One full-flushed deflate block of 16 MiB of zeros; after a full flush every such block is the same bytes. */
function zeroBlock(): Buffer {
  block ??= zlib.deflateRawSync(Buffer.alloc(CHUNK), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  return block;
}

/** A zlib stream (RFC 1950) that inflates to `bytes` zeros (a multiple of 16 MiB); about 16 KiB per 16 MiB. */
function zlibZeros(bytes: number): Buffer {
  const n = Math.ceil(bytes / CHUNK);
  const b = zeroBlock();
  const total = n * CHUNK;
  const adler = Buffer.alloc(4);
  // Adler-32 of zeros: a stays 1, b is the length mod 65521.
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(n).fill(b), Buffer.from([0x03, 0x00]), adler]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(Buffer.from(type, 'latin1'))));
  return Buffer.concat([head, data, crc]);
}

/** A valid small PNG with `extra` chunks inserted before IEND (after the image data, where a bomb likes to hide). */
export async function pngWith(extra: Array<{ type: string; data: Buffer }>, size = 64): Promise<Buffer> {
  const png = await sharp({ create: { width: size, height: size, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), ...extra.map((c) => pngChunk(c.type, c.data)), png.subarray(iend)]);
}

/** Compressed iTXt XMP that inflates to `bytes`. */
export function itxtXmpBomb(bytes: number): { type: string; data: Buffer } {
  return { type: 'iTXt', data: Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\x01\x00\0\0', 'latin1'), zlibZeros(bytes)]) };
}

export function ztxtBomb(bytes: number): { type: string; data: Buffer } {
  return { type: 'zTXt', data: Buffer.concat([Buffer.from('Comment\0\x00', 'latin1'), zlibZeros(bytes)]) };
}

export function iccpBomb(bytes: number): { type: string; data: Buffer } {
  return { type: 'iCCP', data: Buffer.concat([Buffer.from('icc\0\x00', 'latin1'), zlibZeros(bytes)]) };
}

/** A JPEG whose extended-XMP APP1 segments claim a `claimed`-byte packet, with `segments` real 64 KiB pieces of it. */
export async function jpegWithExtendedXmp(claimed: number, segments: number): Promise<Buffer> {
  const jpg = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 120, b: 200 } } }).jpeg().toBuffer();
  const sig = Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1');
  const guid = Buffer.from('0123456789ABCDEF0123456789ABCDEF', 'latin1');
  const piece = 65000;
  const segs: Buffer[] = [];
  for (let i = 0; i < segments; i++) {
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32BE(claimed >>> 0, 0);
    hdr.writeUInt32BE((i * piece) >>> 0, 4);
    const body = Buffer.concat([sig, guid, hdr, Buffer.alloc(piece, 0x20)]);
    const m = Buffer.alloc(4);
    m.writeUInt16BE(0xffe1, 0);
    m.writeUInt16BE(body.length + 2, 2);
    segs.push(m, body);
  }
  return Buffer.concat([jpg.subarray(0, 2), ...segs, jpg.subarray(2)]);
}

/** A JPEG cut before its picture data (header only, or the scan header and nothing after), claiming `size`². */
export async function jpegWithoutScan(size: number, keepScanHeader: boolean): Promise<Buffer> {
  const jpg = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg({ mozjpeg: false }).toBuffer();
  const parts: Buffer[] = [jpg.subarray(0, 2)];
  let pos = 2;
  while (pos < jpg.length) {
    const marker = jpg[pos + 1]!;
    const len = jpg.readUInt16BE(pos + 2);
    const seg = Buffer.from(jpg.subarray(pos, pos + 2 + len));
    if (marker === 0xc0 || marker === 0xc2) {
      seg.writeUInt16BE(size, 5);
      seg.writeUInt16BE(size, 7);
    }
    if (marker === 0xda) {
      if (keepScanHeader) parts.push(seg);
      break;
    }
    parts.push(seg);
    pos += 2 + len;
  }
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}
