import path from 'node:path';
import { ColophonError } from '../../errors.ts';
import { sha256File } from '../../util/hash.ts';
import { statRegularFile } from '../../util/regular-file.ts';
import { classifyFile } from '../classify.ts';
import { pixelSource } from '../pixels.ts';
import type { AssetContext } from './context.ts';

/**
 * Stage 2: what the asset is (by content, then name and shape). Whether a texture-shaped picture is a normal map
 * is left to the decode stage, which looks at the pixels it decodes anyway. A display rendition (an F12 render's
 * tone-mapped PNG beside its EXR) is classified and opened here too.
 */
export async function classifyStage(ctx: AssetContext): Promise<void> {
  ctx.cls = await classifyFile(ctx.input.file, ctx.req.source, { deferContentCheck: true, limits: ctx.env.profile.limits, data: ctx.input.data });
  ctx.warnings.push(...ctx.cls.warnings);
  ctx.display ??= ctx.req.display != null ? await loadDisplay(ctx.req.display) : null;
  if (ctx.display != null) ctx.warnings.push(...ctx.display.cls.warnings);
}

/** The display rendition's hash: part of the fingerprint, so a new rendition of the same master makes a new preview. */
export async function displayHash(display: string): Promise<string> {
  await statRegularFile(path.resolve(display), `the display rendition ${display}`);
  return (await sha256File(path.resolve(display))).sha256;
}

async function loadDisplay(display: string): Promise<NonNullable<AssetContext['display']>> {
  // Its hash was taken for the fingerprint (displayHash), before this stage; it is not read again here.
  const file = path.resolve(display);
  const cls = await classifyFile(file, 'f12');
  const pixels = await pixelSource(file, cls);
  if (pixels?.src == null) {
    throw new ColophonError('UNSUPPORTED_FORMAT', `the display rendition ${display} is a ${cls.format} file, not an image; pass a PNG, JPEG, TIFF or EXR.`);
  }
  return { cls, pixels };
}
