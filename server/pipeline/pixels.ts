import type { Classification } from './classify.ts';
import { LIMITS } from './classify.ts';
import { decodeExr, decodeHdr, toneMapToSrgb8 } from './hdr-decode.ts';
import type { PixelSource } from './preview.ts';

/**
 * The pixels of an asset as something sharp can read. EXR and Radiance HDR are decoded in-process and
 * tone-mapped (clamped like Blender's Standard view for renders, Reinhard for HDRIs).
 */
export async function pixelSource(file: string, cls: Classification): Promise<{ src: PixelSource; width: number; height: number } | null> {
  if (cls.raster === 'sharp') return { src: { file }, width: cls.width!, height: cls.height! };
  if (cls.raster === 'exr' || cls.raster === 'hdr') {
    const img = cls.raster === 'exr' ? await decodeExr(file) : await decodeHdr(file, LIMITS.maxFloatPixels);
    const raw = toneMapToSrgb8(img, cls.kind === 'hdri' ? 'reinhard' : 'clamp');
    return { src: { raw, width: img.width, height: img.height }, width: img.width, height: img.height };
  }
  return null;
}
