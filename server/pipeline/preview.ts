import type { Sharp } from 'sharp';
import sharp from '../util/sharp.ts';
import { ColophonError } from '../errors.ts';
import { DEFAULT_LIMITS } from '../../protocol/src/limits.ts';
import { readJpegSegments } from './jpeg-segments.ts';
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
export async function reducePicture(
  src: PixelSource,
  maxEdge: number,
  label: string,
  maxPixels = DEFAULT_LIMITS.pixels.maxImagePixels,
  opts: { eightBitFirst?: boolean } = {},
): Promise<Picture> {
  try {
    let img = open(src, maxPixels);
    // Only for untagged 16-bit pictures: converting first would skip the colour transform of an embedded profile.
    if (opts.eightBitFirst === true) img = img.pipelineColourspace('srgb');
    const { data, info } = await img
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
  /** The caller is done with `pic`: the watermark may be drawn into its pixels instead of a copy. */
  opts: { consume?: boolean } = {},
): Promise<{ buffer: Buffer; width: number; height: number }> {
  let base = pic;
  let owned = opts.consume === true;
  if (Math.max(pic.width, pic.height) > plan.longEdge) {
    // Sized from the original's shape, as one resize from the original would be (not rounded twice).
    const scale = plan.longEdge / Math.max(original.width, original.height);
    const width = Math.max(1, Math.round(original.width * scale));
    const height = Math.max(1, Math.round(original.height * scale));
    const { data, info } = await sharpOf(pic).resize({ width, height, fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    base = { raw: data, width: info.width, height: info.height };
    owned = true;
  }
  const marked = await watermarked(base, watermarkOverlay(plan.watermarkText, base.width, base.height, plan.placement, plan.opacity), owned);
  if (plan.format === 'webp') {
    // Tagged sRGB (an embedded ICC profile), so colour-managed viewers and browsers do not guess.
    const buffer = await sharpOf(marked).withIccProfile('srgb').webp({ quality: plan.quality }).toBuffer();
    return { buffer, width: base.width, height: base.height };
  }
  // Baseline JPEG with the standard Huffman tables. Optimised tables made a 1600-px render's preview about a quarter
  // smaller (81 KB instead of 107 KB) at twice the encode time (22 ms instead of 10 ms a render), and mozjpeg's
  // trellis search another ~10 % smaller at 5×; for a preview of that size the render's time matters more.
  const jpeg = await sharpOf(marked).jpeg({ quality: plan.quality, optimiseCoding: false }).toBuffer();
  return { buffer: withSrgbProfile(jpeg, await srgbProfileSegment()), width: base.width, height: base.height };
}

/**
 * The picture with the watermark drawn in. For the corner notice only the rectangle its text covers (a band along
 * the bottom, as wide as the text) is composited, on its own, and copied back: libvips' composite would otherwise
 * pass the whole frame (or the whole width of the band) through a blend.
 */
async function watermarked(pic: Picture, overlay: ReturnType<typeof watermarkOverlay>, inPlace: boolean): Promise<Picture> {
  if (overlay == null) return pic;
  const drawn = await rendered(overlay.input);
  if (overlay.top === 0 || overlay.left !== 0) {
    const { data } = await sharpOf(pic).composite([{ input: drawn.input, raw: drawn.raw, top: overlay.top, left: overlay.left }]).raw().toBuffer({ resolveWithObject: true });
    return { ...pic, raw: data };
  }
  const raw = inPlace ? pic.raw : Buffer.from(pic.raw);
  if (drawn.inked == null) return { ...pic, raw };
  const { left, width, input } = drawn.inked;
  const rows = Math.min(drawn.raw.height, pic.height - overlay.top);
  const rowBytes = pic.width * 3;
  const under = sharp(raw.subarray(overlay.top * rowBytes, (overlay.top + rows) * rowBytes), { raw: { width: pic.width, height: rows, channels: 3 } })
    .extract({ left, top: 0, width, height: rows });
  const patch = await under.composite([{ input, raw: { width, height: drawn.raw.height, channels: 4 }, top: 0, left: 0 }]).removeAlpha().raw().toBuffer();
  for (let y = 0; y < rows; y++) patch.copy(raw, (overlay.top + y) * rowBytes + left * 3, y * width * 3, (y + 1) * width * 3);
  return { ...pic, raw };
}

/**
 * A rendered overlay: RGBA of the whole SVG, and the columns where it has any ink (cut out on their own), so the
 * corner notice is blended only where its text is. `inked` is null for an overlay with no ink at all.
 */
type RenderedOverlay = {
  input: Buffer;
  raw: { width: number; height: number; channels: 4 };
  inked: { left: number; width: number; input: Buffer } | null;
};

/**
 * Watermark SVGs rendered to RGBA, by their SVG (notice, size, opacity): a job's previews mostly share one size, so
 * the notice is laid out (fontconfig, pango, librsvg) once instead of once a file, more than half of what the
 * watermark cost (12 → 5 ms for a 1600-px preview). Two are kept: a tiled one is a whole frame of RGBA.
 */
const renderedOverlays = new Map<string, Promise<RenderedOverlay>>();
const RENDERED_OVERLAYS_KEPT = 2;

function rendered(svg: Buffer): Promise<RenderedOverlay> {
  const key = svg.toString('utf8');
  let made = renderedOverlays.get(key);
  if (made == null) {
    made = sharp(svg).ensureAlpha().raw().toBuffer({ resolveWithObject: true }).then(async ({ data, info }) => {
      const raw = { width: info.width, height: info.height, channels: 4 as const };
      return { input: data, raw, inked: await inkedColumns(data, raw) };
    });
    made.catch(() => renderedOverlays.delete(key));
    if (renderedOverlays.size >= RENDERED_OVERLAYS_KEPT) renderedOverlays.delete(renderedOverlays.keys().next().value!);
  } else {
    renderedOverlays.delete(key); // kept as the most recently used
  }
  renderedOverlays.set(key, made);
  return made;
}

/** The columns of an RGBA overlay with any alpha, cut out as their own RGBA picture; null when it has none. */
async function inkedColumns(rgba: Buffer, raw: RenderedOverlay['raw']): Promise<RenderedOverlay['inked']> {
  let first = raw.width;
  let last = -1;
  for (let y = 0; y < raw.height; y++) {
    const row = y * raw.width * 4;
    for (let x = 0; x < first; x++) if (rgba[row + x * 4 + 3] !== 0) { first = x; break; }
    for (let x = raw.width - 1; x > last; x--) if (rgba[row + x * 4 + 3] !== 0) { last = x; break; }
  }
  if (last < first) return null;
  const width = last - first + 1;
  const input = await sharp(rgba, { raw }).extract({ left: first, top: 0, width, height: raw.height }).raw().toBuffer();
  return { left: first, width, input };
}

let srgbSegment: Promise<Buffer> | null = null;

/**
 * libvips' sRGB profile as a JPEG APP2 segment, taken once from a tiny JPEG libvips tagged itself. Attaching it by
 * hand skips the colour transform `withIccProfile` always runs, which for sRGB pixels going to sRGB changes
 * nothing and cost a third of the preview's encode.
 */
function srgbProfileSegment(): Promise<Buffer> {
  srgbSegment ??= sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .withIccProfile('srgb')
    .jpeg()
    .toBuffer()
    .then((tiny) => {
      const icc = readJpegSegments(tiny).filter((s) => s.marker === 0xe2 && s.id === 'ICC_PROFILE');
      if (icc.length !== 1) throw new Error('libvips wrote no single-segment sRGB profile');
      return Buffer.from(icc[0]!.bytes);
    });
  return srgbSegment;
}

/** The JPEG with the ICC segment after SOI (and after a JFIF APP0, which must stay first). */
function withSrgbProfile(jpeg: Buffer, segment: Buffer): Buffer {
  const first = readJpegSegments(jpeg)[0];
  const at = first?.marker === 0xe0 ? first.end : 2;
  return Buffer.concat([jpeg.subarray(0, at), segment, jpeg.subarray(at)]);
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!.replace(/^Vips\w*: /, '');
}
