import sharp, { type Sharp } from 'sharp';
import { ColophonError } from '../errors.ts';
import { DEFAULT_LIMITS } from '../../protocol/src/limits.ts';
import { watermarkOverlay, type Placement } from './watermark.ts';

// Previews are one-shot; libvips' file cache would only hold handles on files Blender may be rewriting.
sharp.cache({ files: 0 });

export interface PreviewPlan {
  longEdge: number;
  format: 'jpeg' | 'webp';
  quality: number;
  watermarkText: string;
  placement: Placement;
  opacity: number;
}

/** Pixels to derive a preview from: a file (or its bytes) sharp reads, or already-decoded 8-bit sRGB RGB. */
export type PixelSource = { file: string } | { data: Buffer } | { raw: Buffer; width: number; height: number };

export interface Picture {
  raw: Buffer;
  width: number;
  height: number;
}

function open(src: PixelSource, maxPixels: number): Sharp {
  if ('raw' in src) return sharp(src.raw, { raw: { width: src.width, height: src.height, channels: 3 } });
  return sharp('data' in src ? src.data : src.file, { limitInputPixels: maxPixels, failOn: 'error' });
}

export function sharpOf(p: Picture): Sharp {
  return sharp(p.raw, { raw: { width: p.width, height: p.height, channels: 3 } });
}

/**
 * The one decode of an asset's picture: orientation → downscale to at most `maxEdge` (never enlarge) → 8-bit sRGB
 * RGB on white. Previews, perceptual hashes, the normal-map check and contact-sheet cells all start from it.
 */
export async function reducePicture(src: PixelSource, maxEdge: number, label: string, maxPixels = DEFAULT_LIMITS.pixels.maxImagePixels): Promise<Picture> {
  try {
    const { data, info } = await open(src, maxPixels)
      .rotate()
      .resize({ width: maxEdge, height: maxEdge, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { raw: data, width: info.width, height: info.height };
  } catch (err) {
    throw new ColophonError(
      'CORRUPT_FILE',
      `${label}: the picture data cannot be decoded (${firstLine(err)}). The file is damaged or truncated; export it again.`,
      { cause: err },
    );
  }
}

/**
 * The public preview from the reduced picture: fitted to the plan's edge, watermarked, encoded with an sRGB ICC
 * profile. Nothing of the source's metadata (EXIF, GPS, maker notes, PNG text, its ICC) is carried over.
 */
export async function encodePreview(
  pic: Picture,
  plan: PreviewPlan,
  original: { width: number; height: number } = pic,
): Promise<{ buffer: Buffer; width: number; height: number }> {
  let base = pic;
  if (Math.max(pic.width, pic.height) > plan.longEdge) {
    // Sized from the original's shape, as one resize from the original would be (not rounded twice).
    const scale = plan.longEdge / Math.max(original.width, original.height);
    const width = Math.max(1, Math.round(original.width * scale));
    const height = Math.max(1, Math.round(original.height * scale));
    const { data, info } = await sharpOf(pic).resize({ width, height, fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    base = { raw: data, width: info.width, height: info.height };
  }
  const overlay = watermarkOverlay(plan.watermarkText, base.width, base.height, plan.placement, plan.opacity);
  let img = sharpOf(base);
  if (overlay != null) img = img.composite([overlay]);
  // Tagged sRGB (an embedded ICC profile), so colour-managed viewers and browsers do not guess.
  img = img.withIccProfile('srgb');
  // libjpeg-turbo with optimised Huffman tables: mozjpeg's trellis search made files ~10 % smaller at 5× the
  // encode time, the largest single cost of a render's processing.
  const buffer =
    plan.format === 'webp'
      ? await img.webp({ quality: plan.quality }).toBuffer()
      : await img.jpeg({ quality: plan.quality, optimiseCoding: true }).toBuffer();
  return { buffer, width: base.width, height: base.height };
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!.replace(/^Vips\w*: /, '');
}
