import path from 'node:path';
import { ColophonError } from '../../errors.ts';
import { canonicalJson, sha256Hex } from '../../util/hash.ts';
import { planPreview } from '../preview-plan.ts';
import { PRESENTATION_SOURCES } from '../formats.ts';
import { looksCameraMade, rightsFromProfile } from '../stamp.ts';
import type { AssetContext } from './context.ts';

/** Bumped when the pipeline's outputs change for the same input and settings. 3: stamps copied from a template. */
const PIPELINE_VERSION = 3;

/** Everything that decides the outputs, hashed: the same fingerprint means the earlier outputs can be reused as they are. */
export function fingerprintOf(ctx: AssetContext, displaySha: string | undefined): string {
  const { profile } = ctx.env;
  const { req } = ctx;
  return sha256Hex(canonicalJson({
    v: PIPELINE_VERSION, sha256: ctx.input.sha256, name: path.basename(ctx.input.file), presentation: PRESENTATION_SOURCES.has(req.source),
    display: displaySha, publicPreview: req.publicPreview ?? 'auto', texturePreviews: req.texturePreviews, previewRequest: req.preview,
    preview: profile.preview, layout: ctx.layout.previewFile('ext'),
    rights: [profile.creator, profile.copyright, profile.licence, profile.dataMining, profile.otherConstraints, profile.webStatement, profile.credentials],
  }));
}

/** Stage 3: the preview plan (or why there is none) and the rights statement, photo or digital creation. */
export async function planStage(ctx: AssetContext): Promise<void> {
  const cls = ctx.cls!;
  replanPreview(ctx);
  if (ctx.req.publicPreview === 'always' && ctx.plan == null) {
    // Asked for a preview (preview.export): succeeding without one would mislead, so fail before writing anything.
    throw new ColophonError('NO_PREVIEW', `${ctx.label} is a ${cls.kind} file (${cls.format}) with no picture, so no public preview can be made from it. Export the preview from a render or an image (PNG, JPEG, TIFF, EXR).`);
  }
  // Only a file with EXIF can name a camera: the others are not asked (one exiftool read saved per render).
  ctx.photo = cls.exr?.cameraMade === true || (cls.raster === 'sharp' && cls.hasExif === true && (await looksCameraMade(ctx.input.file)));
  ctx.rights = rightsFromProfile(ctx.env.profile, ctx.photo ? 'digitalCapture' : 'digitalCreation');
}

/** (Re)decides the preview from the classification, e.g. after the decode stage found a normal map. */
export function replanPreview(ctx: AssetContext): void {
  const { plan, reason } = planPreview(ctx.cls!, ctx.req, ctx.env.profile, ctx.display != null);
  ctx.plan = plan;
  if (reason != null) ctx.warnings.push(reason);
}
