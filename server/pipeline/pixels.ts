import type { Classification } from './classify.ts';
import { DEFAULT_LIMITS } from '../../protocol/src/limits.ts';
import { decodeHeifPreview } from './decode/heif.ts';
import type { Srgb8 } from './decode/srgb8.ts';
import type { PixelSource } from './preview.ts';
import { offThread } from '../util/off-thread.ts';

export interface Pixels {
  /** Null when the file is kept but no picture can be made from it (a deep EXR no tool could flatten). */
  src: PixelSource | null;
  width: number;
  height: number;
  /** What the artist should know about how the picture was made (layer chosen, part used, no preview…). */
  warnings: string[];
}

/**
 * The pixels of an asset as something sharp can read. EXR and Radiance HDR are decoded (EXR through a Debian
 * tool when parse-exr cannot) and tone-mapped (clamped like Blender's Standard view for renders, Reinhard for
 * HDRIs); HEIF that the bundled libvips cannot decode goes through the system's libvips. `data`: the file's bytes
 * when the caller already holds them, so sharp decodes from memory.
 */
export async function pixelSource(
  file: string,
  cls: Classification,
  signal?: AbortSignal,
  data?: Buffer | null,
  maxFloatPixels = DEFAULT_LIMITS.pixels.maxFloatPixels,
): Promise<Pixels | null> {
  if (cls.raster === 'sharp') {
    if (cls.format === 'heif') {
      const heif = await decodeHeifPreview(file, signal);
      if (heif != null) return { src: heif, width: heif.width, height: heif.height, warnings: [] };
    }
    return { src: data != null ? { data } : { file }, width: cls.width!, height: cls.height!, warnings: [] };
  }
  if (cls.raster === 'exr' || cls.raster === 'hdr') {
    // Off the event loop: decoding and tone-mapping a large EXR takes the better part of a second. The worker
    // cannot take the abort signal; the pipeline checks it again as soon as the pixels are back.
    const img = await offThread<Srgb8>(
      new URL('./decode/srgb8.ts', import.meta.url), 'decodeFloatToSrgb8',
      [file, cls.raster, cls.exr ?? null, cls.kind === 'hdri' ? 'reinhard' : 'clamp', maxFloatPixels],
    );
    if (img.raw == null) return { src: null, width: cls.width!, height: cls.height!, warnings: img.warnings };
    const raw = Buffer.from(img.raw.buffer, img.raw.byteOffset, img.raw.byteLength);
    return { src: { raw, width: img.width, height: img.height }, width: img.width, height: img.height, warnings: img.warnings };
  }
  return null;
}
