import type { Profile } from '../../protocol/src/profile.ts';
import { expandTemplate } from '../config.ts';
import type { Classification } from './classify.ts';
import type { PreviewPlan } from './preview.ts';
import type { ProcessRequest } from './stages/context.ts';

/** Texture maps are source-rich: their public preview is small and tiled so it is useless as a texture. */
const TEXTURE_PREVIEW_MAX_EDGE = 512;

/**
 * Decides whether an asset gets a public preview and how. Returns null (with the reason) when it gets none.
 * 'auto': renders get the profile's preview; textures and HDRIs a reduced, tiled one; non-images none.
 */
export function planPreview(
  cls: Classification,
  req: ProcessRequest,
  profile: Profile,
  hasDisplay: boolean,
): { plan: PreviewPlan | null; reason?: string } {
  const mode = req.publicPreview ?? 'auto';
  if (mode === 'never') return { plan: null };
  if (cls.kind === 'texture' && req.texturePreviews === false && mode !== 'always') return { plan: null };
  if (cls.raster == null && !hasDisplay) {
    return { plan: null, reason: mode === 'always' ? `no public preview: a ${cls.kind} (${cls.format}) has no picture to preview` : undefined };
  }
  const p = profile.preview;
  const o = req.preview ?? {};
  const wm = { ...p.watermark, ...o.watermark };
  const plan: PreviewPlan = {
    longEdge: o.longEdge ?? p.longEdge,
    format: o.format ?? p.format,
    quality: o.quality ?? p.quality,
    watermarkText: expandTemplate(wm.text, profile),
    placement: wm.placement,
    opacity: wm.opacity,
  };
  if (cls.kind === 'texture') {
    plan.longEdge = Math.min(plan.longEdge, TEXTURE_PREVIEW_MAX_EDGE);
    if (plan.placement === 'corner') plan.placement = 'tiled';
  }
  return { plan };
}
