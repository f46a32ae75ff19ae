import type { Classification } from './classify.ts';
import { LIMITS } from './classify.ts';
import { offThread } from '../util/off-thread.ts';
import type { PixelSource } from './preview.ts';

/**
 * The pixels of an asset as something sharp can read. EXR and Radiance HDR are decoded in-process and
 * tone-mapped (clamped like Blender's Standard view for renders, Reinhard for HDRIs).
 */
export async function pixelSource(file: string, cls: Classification): Promise<{ src: PixelSource; width: number; height: number } | null> {
  if (cls.raster === 'sharp') return { src: { file }, width: cls.width!, height: cls.height! };
  if (cls.raster === 'exr' || cls.raster === 'hdr') {
    // Off the event loop: decoding a large EXR takes the better part of a second.
    const img = await offThread<{ raw: Uint8Array; width: number; height: number }>(
      new URL('./hdr-decode.ts', import.meta.url), 'decodeToSrgb8', [file, cls.raster, cls.kind === 'hdri' ? 'reinhard' : 'clamp', LIMITS.maxFloatPixels],
    );
    const raw = Buffer.from(img.raw.buffer, img.raw.byteOffset, img.raw.byteLength);
    return { src: { raw, width: img.width, height: img.height }, width: img.width, height: img.height };
  }
  return null;
}
