import sharp, { type Sharp } from 'sharp';
import { ColophonError } from '../errors.ts';
import { LIMITS } from './classify.ts';
import { watermarkSvg, type Placement } from './watermark.ts';

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

/** Pixels to derive a preview from: a file sharp reads, or already-decoded 8-bit sRGB RGB. */
export type PixelSource = { file: string } | { raw: Buffer; width: number; height: number };

export interface RenderedPreview {
  buffer: Buffer;
  width: number;
  height: number;
  /** The downscaled picture before the watermark (8-bit RGB), for hashing the input without decoding it again. */
  clean: { raw: Buffer; width: number; height: number };
}

function open(src: PixelSource): Sharp {
  if ('file' in src) return sharp(src.file, { limitInputPixels: LIMITS.maxImagePixels, failOn: 'error' });
  return sharp(src.raw, { raw: { width: src.width, height: src.height, channels: 3 } });
}

/**
 * orientation → downscale (never enlarge) → 8-bit sRGB → watermark → encode with an sRGB ICC profile. sharp writes
 * no source metadata (EXIF, GPS, maker notes, PNG text chunks, the source's ICC) unless asked, so none of it survives.
 */
export async function renderPreview(src: PixelSource, plan: PreviewPlan, label: string): Promise<RenderedPreview> {
  try {
    const { data, info } = await open(src)
      .rotate()
      .resize({ width: plan.longEdge, height: plan.longEdge, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const svg = watermarkSvg(plan.watermarkText, info.width, info.height, plan.placement, plan.opacity);
    let img = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    if (svg != null) img = img.composite([{ input: svg, top: 0, left: 0 }]);
    // Tagged sRGB (an embedded ICC profile), so colour-managed viewers and browsers do not guess.
    img = img.withIccProfile('srgb');
    const buffer =
      plan.format === 'webp'
        ? await img.webp({ quality: plan.quality }).toBuffer()
        : await img.jpeg({ quality: plan.quality, mozjpeg: true }).toBuffer();
    return { buffer, width: info.width, height: info.height, clean: { raw: data, width: info.width, height: info.height } };
  } catch (err) {
    throw new ColophonError(
      'CORRUPT_FILE',
      `${label}: the picture data cannot be decoded (${firstLine(err)}). The file is damaged or truncated; export it again.`,
      { cause: err },
    );
  }
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!.replace(/^Vips\w*: /, '');
}
