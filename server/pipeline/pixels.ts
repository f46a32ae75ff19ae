import type { Classification } from './classify.ts';
import { LIMITS } from './classify.ts';
import { decodeExrPicture } from './decode/exr.ts';
import { decodeHeifPreview } from './decode/heif.ts';
import { decodeHdr, toneMapToSrgb8, type FloatImage } from './hdr-decode.ts';
import type { PixelSource } from './preview.ts';

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
 * HDRIs); HEIF that the bundled libvips cannot decode goes through the system's libvips.
 */
export async function pixelSource(file: string, cls: Classification, signal?: AbortSignal): Promise<Pixels | null> {
  if (cls.raster === 'sharp') {
    if (cls.format === 'heif') {
      const heif = await decodeHeifPreview(file, signal);
      if (heif != null) return { src: heif, width: heif.width, height: heif.height, warnings: [] };
    }
    return { src: { file }, width: cls.width!, height: cls.height!, warnings: [] };
  }
  if (cls.raster === 'exr') {
    const decoded = await decodeExrPicture(file, cls.exr!, signal);
    if (decoded.image == null) return { src: null, width: cls.width!, height: cls.height!, warnings: decoded.warnings };
    return { ...toSrgb(decoded.image, cls), warnings: decoded.warnings };
  }
  if (cls.raster === 'hdr') return { ...toSrgb(await decodeHdr(file, LIMITS.maxFloatPixels), cls), warnings: [] };
  return null;
}

function toSrgb(img: FloatImage, cls: Classification): { src: PixelSource; width: number; height: number } {
  const raw = toneMapToSrgb8(img, cls.kind === 'hdri' ? 'reinhard' : 'clamp');
  return { src: { raw, width: img.width, height: img.height }, width: img.width, height: img.height };
}
