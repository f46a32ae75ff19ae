import type { Sharp } from 'sharp';
import sharp from '../util/sharp.ts';

const SIZE = 32;
const KEEP = 8;

/** Precomputed DCT-II cosine table for a SIZE-point transform. */
const COS: Float64Array = (() => {
  const t = new Float64Array(SIZE * SIZE);
  for (let k = 0; k < SIZE; k++) for (let n = 0; n < SIZE; n++) t[k * SIZE + n] = Math.cos((Math.PI / SIZE) * (n + 0.5) * k);
  return t;
})();

/**
 * 64-bit DCT perceptual hash (16 hex digits). The image is reduced to 32×32 grey, transformed with a
 * 2-D DCT, and the 8×8 lowest frequencies (without the DC term's influence on the threshold) are
 * compared with their median. Robust to resizing, recompression, mild colour change and small
 * overlays; not to mirroring, rotation or large crops.
 */
export async function phash(input: Buffer | string | Sharp): Promise<string> {
  const img = typeof input === 'string' || Buffer.isBuffer(input) ? sharp(input, { failOn: 'none' }) : input.clone();
  const { data } = await img
    .rotate()
    .flatten({ background: '#808080' })
    .greyscale()
    .resize(SIZE, SIZE, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return phashFromGrey(data);
}

export function phashFromGrey(grey: Uint8Array): string {
  const rows = new Float64Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++)
    for (let k = 0; k < KEEP; k++) {
      let s = 0;
      for (let x = 0; x < SIZE; x++) s += grey[y * SIZE + x]! * COS[k * SIZE + x]!;
      rows[y * SIZE + k] = s;
    }
  const coeffs: number[] = [];
  for (let ky = 0; ky < KEEP; ky++)
    for (let kx = 0; kx < KEEP; kx++) {
      let s = 0;
      for (let y = 0; y < SIZE; y++) s += rows[y * SIZE + kx]! * COS[ky * SIZE + y]!;
      coeffs.push(s);
    }
  const sorted = coeffs.slice(1).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  let hex = '';
  for (let i = 0; i < 64; i += 4) {
    let nibble = 0;
    for (let b = 0; b < 4; b++) nibble = (nibble << 1) | (coeffs[i + b]! > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}

/** Number of differing bits between two 16-hex-digit hashes (0..64). */
export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 4) {
    let x = parseInt(a.slice(i, i + 4), 16) ^ parseInt(b.slice(i, i + 4), 16);
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}
