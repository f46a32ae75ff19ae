import type { TextureRole } from '../../protocol/src/results.ts';

/** Name tokens that mark a texture map, by role. Matched against whole tokens of the file stem. */
const ROLE_TOKENS: Array<[TextureRole, string[]]> = [
  ['orm', ['orm', 'arm', 'rma', 'mra', 'occlusionroughnessmetallic']],
  ['base-color', ['basecolor', 'basecolour', 'albedo', 'diffuse', 'diff', 'col', 'color', 'colour', 'bc', 'alb', 'dif']],
  ['normal', ['normal', 'normals', 'nor', 'nrm', 'norm', 'nml', 'nrml', 'normalgl', 'normaldx', 'normalmap']],
  ['roughness', ['roughness', 'rough', 'rgh', 'glossiness', 'gloss']],
  ['metallic', ['metallic', 'metalness', 'metal', 'mtl', 'met']],
  ['ambient-occlusion', ['ao', 'ambientocclusion', 'occlusion', 'occ']],
  ['height', ['height', 'heightmap', 'hgt']],
  ['displacement', ['displacement', 'disp', 'displ', 'dsp']],
  ['bump', ['bump', 'bumpmap']],
  ['opacity', ['opacity', 'alpha', 'transparency', 'opac', 'cutout']],
  ['emission', ['emission', 'emissive', 'emit', 'glow', 'emissivecolor']],
  ['specular', ['specular', 'spec', 'spc', 'reflection', 'refl']],
  ['mask', ['mask', 'msk', 'idmap', 'matid']],
];

const BY_TOKEN = new Map<string, TextureRole>();
for (const [role, tokens] of ROLE_TOKENS) for (const t of tokens) BY_TOKEN.set(t, role);

/**
 * Role tokens that are also everyday words (`WideColorGamut`, `NormalDistribution`, `MetalSculpture`): they mark a
 * map only as the name's suffix (`Brick_Color`, `Wood_Normal_GL`), where texture makers put them. Jargon tokens
 * (`albedo`, `nrm`, `basecolor`, `ORM`) count anywhere.
 */
const EVERYDAY = new Set([
  'color', 'colour', 'col', 'diffuse', 'diff', 'normal', 'normals', 'norm', 'rough', 'roughness', 'gloss', 'glossiness', 'metal',
  'height', 'bump', 'opacity', 'alpha', 'transparency', 'emission', 'emit', 'glow', 'specular', 'reflection', 'mask',
  'occlusion', 'displacement', 'cutout', 'met', 'occ',
]);
/** Qualifiers that may follow a role suffix: `_Normal_GL`, `_Color_sRGB`, `_height_16bit`. */
const QUALIFIERS = new Set(['gl', 'dx', 'ogl', 'opengl', 'directx', 'map', 'tex', 'texture', 'srgb', 'linear', 'lin', 'raw', 'bit', 'lod', 'hi', 'lo', 'low', 'high', 'png', 'exr', 'final']);

/**
 * Finds a texture role from a file stem such as `Brick_BaseColor`, `rock-nor_gl`, `wood_ORM_4k`.
 * Tokens are split on separators and camelCase; adjacent pairs are joined too (`base_color`, `ambient occlusion`).
 * The last matching token wins, since maps are usually suffixed.
 */
export function roleFromName(stem: string): TextureRole | undefined {
  const tokens = stem
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '' && !/^\d+k?$/.test(t));
  let end = tokens.length;
  while (end > 0 && (QUALIFIERS.has(tokens[end - 1]!) || /^\d+(bit|px|k)?$|^v\d+$/.test(tokens[end - 1]!))) end--;
  let found: TextureRole | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const everyday = EVERYDAY.has(tokens[i]!) && i !== end - 1;
    const single = everyday ? undefined : BY_TOKEN.get(tokens[i]!);
    const pair = i + 1 < tokens.length ? BY_TOKEN.get(tokens[i]! + tokens[i + 1]!) : undefined;
    if (pair != null) {
      found = pair;
      i++;
    } else if (single != null) found = single;
  }
  return found;
}

/** Channel means of a small thumbnail (0..255). */
export interface ChannelStats {
  mean: [number, number, number];
  stdev: [number, number, number];
}

/** Tangent-space normal maps are bluish-lilac: R and G near mid-grey, B high and steady. */
export function looksLikeNormalMap(s: ChannelStats): boolean {
  const [r, g, b] = s.mean;
  return Math.abs(r - 128) < 24 && Math.abs(g - 128) < 24 && b > 190 && s.stdev[2] < 40;
}
