import type { ExrInfo } from '../exr-header.ts';
import { decodeHdr, toneMapToSrgb8 } from '../hdr-decode.ts';
import { decodeExrPicture } from './exr.ts';

export interface Srgb8 {
  /** Null when the file is kept but no picture could be made from it (a deep EXR no tool could flatten). */
  raw: Uint8Array | null;
  width: number;
  height: number;
  warnings: string[];
}

/**
 * Decodes an EXR or Radiance HDR file and tone-maps it to 8-bit sRGB in one step. It runs on a worker thread
 * (server/util/off-thread.ts), so it returns the 8-bit form: a quarter of the float pixels' size to copy back.
 */
export async function decodeFloatToSrgb8(
  file: string,
  raster: 'exr' | 'hdr',
  exr: ExrInfo | null,
  mode: 'clamp' | 'reinhard',
  maxPixels: number,
): Promise<Srgb8> {
  if (raster === 'hdr') {
    const img = await decodeHdr(file, maxPixels);
    return { raw: toneMapToSrgb8(img, mode), width: img.width, height: img.height, warnings: [] };
  }
  const decoded = await decodeExrPicture(file, exr!);
  if (decoded.image == null) return { raw: null, width: 0, height: 0, warnings: decoded.warnings };
  const img = decoded.image;
  return { raw: toneMapToSrgb8(img, mode), width: img.width, height: img.height, warnings: decoded.warnings };
}
