import { ColophonError } from '../../errors.ts';
import { contentSaysNormalMap } from '../classify.ts';
import { describeJpegDamage, describePngDamage } from '../metadata-guard.ts';
import { phash } from '../phash.ts';
import { pixelSource } from '../pixels.ts';
import { encodePreview, reducePicture, sharpOf, type Picture } from '../preview.ts';
import { checkAbort } from './read-input.ts';
import { replanPreview } from './plan.ts';
import type { AssetContext } from './context.ts';

/** The reduced picture's edge when no preview needs more: enough for hashing, the normal-map check and thumbnails. */
const MIN_REDUCED_EDGE = 512;

/**
 * Stage 4: the picture, decoded once and reduced; from it the preview (encoded, not yet stamped), the perceptual
 * hash and, when asked, a contact-sheet thumbnail. A file whose picture cannot be decoded fails here, before
 * anything is written.
 */
export async function decodeStage(ctx: AssetContext): Promise<void> {
  const cls = ctx.cls!;
  checkAbort(ctx.req.signal);
  const pixels = ctx.display != null ? ctx.display.pixels : await pixelSource(ctx.input.file, cls, ctx.req.signal, ctx.input.data, ctx.env.profile.limits.pixels.maxFloatPixels);
  ctx.warnings.push(...(pixels?.warnings ?? []));
  ctx.width = cls.width ?? pixels?.width;
  ctx.height = cls.height ?? pixels?.height;
  if (pixels?.src == null) {
    ctx.preview = null;
    return;
  }
  const edge = Math.max(MIN_REDUCED_EDGE, ctx.req.preview?.longEdge ?? 0, ctx.env.profile.preview.longEdge);
  const source = ctx.display == null ? { format: cls.format, file: ctx.input.file } : null;
  const eightBitFirst = ctx.display == null && cls.untagged16 === true;
  const reduce = () => reducePicture(pixels.src!, edge, ctx.label, ctx.env.profile.limits.pixels.maxImagePixels, { eightBitFirst });
  const reduced = await explainDamage(reduce, source, ctx.label);
  // The perceptual hash and the normal-map check both look at a 256-px copy, made once.
  const small = shrink(reduced, 256);
  if (cls.maybeNormalMap === true && (await contentSaysNormalMap(sharpOf(await small)))) {
    ctx.cls = { ...cls, kind: 'texture', role: 'normal', sourceRich: true, maybeNormalMap: false };
    replanPreview(ctx);
  }
  checkAbort(ctx.req.signal);
  ctx.inputPhash = await phash(sharpOf(await small));
  if (ctx.req.thumbnailEdge != null) ctx.thumbnail = await thumbnail(reduced, ctx.req.thumbnailEdge);
  // The preview is the reduced picture's last use, so its watermark is drawn into it rather than into a copy.
  ctx.preview = ctx.plan != null ? await encodePreview(reduced, ctx.plan, { width: pixels.width, height: pixels.height }, { consume: true }) : null;
}

async function shrink(pic: Picture, edge: number): Promise<Picture> {
  if (Math.max(pic.width, pic.height) <= edge) return pic;
  const { data, info } = await sharpOf(pic).resize(edge, edge, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
  return { raw: data, width: info.width, height: info.height };
}

/** A small PNG of the picture (for a contact-sheet cell). */
function thumbnail(pic: Picture, edge: number): Promise<Buffer> {
  return sharpOf(pic).resize(edge, edge, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
}

/** When a PNG or JPEG fails to decode, says what is broken in it instead of the decoder's words. */
async function explainDamage<T>(run: () => Promise<T>, input: { format: string; file: string } | null, label: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (input == null || !(err instanceof ColophonError) || err.key !== 'CORRUPT_FILE') throw err;
    const describer = DAMAGE_DESCRIBERS[input.format];
    if (describer == null) throw err;
    const damage = await describer.describe(input.file).catch(() => null);
    if (damage == null) throw err;
    throw new ColophonError('CORRUPT_FILE', `${label}: the ${describer.name} is damaged: ${damage}. Its picture cannot be trusted; restore it from a backup or export it again.`, { cause: err });
  }
}

const DAMAGE_DESCRIBERS: Record<string, { name: string; describe: (file: string) => Promise<string | null> }> = {
  png: { name: 'PNG', describe: describePngDamage },
  jpeg: { name: 'JPEG', describe: describeJpegDamage },
};
