import path from 'node:path';

/**
 * Name tokens that say which map a file is (plus resolution and normal-convention tokens that often
 * trail them). Stripping them from the end of a stem leaves the material name:
 * Brick_BaseColor → Brick, brick_wall_nor_gl_2k → brick_wall.
 */
const MAP_TOKENS = new Set([
  'basecolor', 'base', 'color', 'colour', 'albedo', 'diffuse', 'diff', 'col', 'rgb',
  'normal', 'normals', 'nor', 'nrm', 'norm', 'gl', 'dx', 'opengl', 'directx',
  'roughness', 'rough', 'rgh', 'gloss', 'glossiness',
  'metallic', 'metalness', 'metal', 'met',
  'ao', 'ambientocclusion', 'occlusion', 'occ',
  'height', 'disp', 'displacement', 'displace', 'bump', 'bmp',
  'opacity', 'alpha', 'mask', 'transparency',
  'emission', 'emissive', 'emit', 'specular', 'spec', 'orm', 'arm', 'cavity', 'translucency', 'sss',
]);
const RESOLUTION = /^\d+k$|^\d{3,5}(px)?$/i;

/** Splits a file stem into its material name and the map label taken off its end. */
export function splitMaterialStem(stem: string): { material: string; label: string } {
  const parts = stem.split(/([_\-. ]+)/);
  // parts alternate token, separator, token …; strip map and resolution tokens from the end.
  const taken: string[] = [];
  while (parts.length > 1) {
    const last = parts[parts.length - 1]!;
    if (MAP_TOKENS.has(last.toLowerCase()) || RESOLUTION.test(last)) {
      taken.unshift(last);
      parts.pop();
      parts.pop();
    } else break;
  }
  const material = parts.join('');
  if (material === '' || taken.length === 0) return { material: stem, label: stem };
  return { material, label: taken.filter((t) => !RESOLUTION.test(t)).join(' ') || taken.join(' ') };
}

export interface TextureMap {
  rel: string;
  /** A readable path for sharp (the original, or the extracted copy). */
  abs: string;
  role?: string;
}

export interface TextureSet {
  /** Material name (what the contact sheet is called). */
  material: string;
  /** Folder inside the pack, forward slashes ('' at the top). */
  dir: string;
  maps: Array<TextureMap & { label: string }>;
}

/** Groups texture maps by folder and material name; maps keep a stable order (by name). */
export function groupTextureSets(maps: TextureMap[]): TextureSet[] {
  const sets = new Map<string, TextureSet>();
  for (const m of maps) {
    const dir = path.posix.dirname(m.rel) === '.' ? '' : path.posix.dirname(m.rel);
    const stem = path.posix.basename(m.rel, path.posix.extname(m.rel));
    const { material, label } = splitMaterialStem(stem);
    const key = `${dir}\u0000${material.toLowerCase()}`;
    let set = sets.get(key);
    if (set == null) {
      set = { material, dir, maps: [] };
      sets.set(key, set);
    }
    set.maps.push({ ...m, label: mapLabel(m.role, label) });
  }
  for (const s of sets.values()) s.maps.sort((a, b) => (a.rel < b.rel ? -1 : 1));
  return [...sets.values()].sort((a, b) => (`${a.dir}/${a.material}` < `${b.dir}/${b.material}` ? -1 : 1));
}

/** The role the classifier found, with the file's own word for it when that says something different. */
function mapLabel(role: string | undefined, fromName: string): string {
  if (role == null || role === 'unknown') return fromName;
  const squash = (x: string) => x.toLowerCase().replace(/[^a-z]/g, '');
  return squash(role) === squash(fromName) ? role : `${role} (${fromName})`;
}
