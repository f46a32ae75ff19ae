import fs from 'node:fs/promises';

/** Formats recognised from content (magic bytes), independent of the file name. */
export type SniffedFormat =
  | 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'avif' | 'heif' | 'bmp' | 'psd'
  | 'exr' | 'hdr'
  | 'blend' | 'blend-gzip' | 'blend-zstd' | 'gzip' | 'zstd'
  | 'zip'
  | 'fbx' | 'glb' | 'usdc' | 'usda' | 'abc' | 'ply' | 'stl-ascii'
  | 'mp4' | 'mov' | 'mkv' | 'avi'
  | 'text' | 'unknown';

const HEAD_BYTES = 64;

/** The first bytes of `file`, taken from `inMemory` (its whole content) when the caller already holds it. */
export async function readHead(file: string, inMemory?: Buffer | null): Promise<Buffer> {
  if (inMemory != null) return inMemory.subarray(0, HEAD_BYTES);
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

/** Identifies a format from the first bytes of a file. Compressed .blend is resolved by the caller (needs inflating). */
export function sniff(head: Buffer): SniffedFormat {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'AVI ') return 'avi';
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return 'tiff';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(head, 0, 4) === '8BPS') return 'psd';
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return 'bmp';
  if (head.length >= 4 && head.readUInt32LE(0) === 20000630) return 'exr';
  if (ascii(head, 0, 10) === '#?RADIANCE' || ascii(head, 0, 6) === '#?RGBE') return 'hdr';
  if (ascii(head, 0, 7) === 'BLENDER') return 'blend';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (ascii(head, 0, 4) === 'PK\x03\x04' || ascii(head, 0, 4) === 'PK\x05\x06') return 'zip';
  if (ascii(head, 0, 18) === 'Kaydara FBX Binary') return 'fbx';
  if (ascii(head, 0, 4) === 'glTF') return 'glb';
  if (ascii(head, 0, 8) === 'PXR-USDC') return 'usdc';
  if (ascii(head, 0, 5) === '#usda') return 'usda';
  if (ascii(head, 0, 5) === 'Ogawa') return 'abc';
  if (ascii(head, 0, 4) === 'ply\n' || ascii(head, 0, 5) === 'ply\r\n') return 'ply';
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'mif1', 'msf1', 'hevc'].includes(brand)) return 'heif';
    if (brand === 'qt  ') return 'mov';
    return 'mp4';
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'mkv';
  if (ascii(head, 0, 5) === 'solid') return 'stl-ascii';
  if (looksLikeText(head)) return 'text';
  return 'unknown';
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  const text = head.toString('utf8');
  if (text.includes('\uFFFD') && !text.endsWith('\uFFFD')) return false;
  for (const c of head) if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c)) return false;
  return true;
}

/** What a file name's extension claims, for mismatch warnings and for formats without magic bytes. */
export const EXTENSION_FORMATS: Record<string, SniffedFormat | 'obj' | 'gltf' | 'stl' | 'usdz' | 'tga'> = {
  jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg', png: 'png', webp: 'webp', tif: 'tiff', tiff: 'tiff', gif: 'gif',
  avif: 'avif', heic: 'heif', heif: 'heif', bmp: 'bmp', psd: 'psd', exr: 'exr', hdr: 'hdr', blend: 'blend',
  zip: 'zip', fbx: 'fbx', glb: 'glb', gltf: 'gltf', obj: 'obj', usd: 'usdc', usdc: 'usdc', usda: 'usda',
  usdz: 'usdz', abc: 'abc', stl: 'stl', ply: 'ply', mp4: 'mp4', m4v: 'mp4', mov: 'mov', mkv: 'mkv', webm: 'mkv',
  avi: 'avi', tga: 'tga',
};
