import path from 'node:path';

/** Names Colophon itself writes at the root of an archive; a dependency never takes one of them. */
export const RESERVED_ENTRIES = new Set(['manifest.json', 'LICENSE.txt']);

/**
 * Resolves a dependency as Blender names it: `//x` and plain relative paths are relative to the
 * .blend's folder, absolute paths stay as they are.
 */
export function resolveDependency(dep: string, blendDir: string): string {
  if (dep.startsWith('//')) return path.resolve(blendDir, dep.slice(2));
  return path.resolve(blendDir, dep);
}

/**
 * The zip entry for a dependency: its path relative to the .blend's folder when it lies inside it,
 * otherwise `external/<absolute path with the root and drive turned into plain folders>`.
 * Never absolute and never containing `..`, so unzipping cannot escape the target folder.
 */
export function entryNameFor(file: string, blendDir: string): string {
  const rel = path.relative(blendDir, file);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  if (inside) return safeSegments(rel.split(path.sep)).join('/');
  return externalEntryName(file);
}

/** `external/<absolute path with the root and drive turned into plain folders>`. */
export function externalEntryName(file: string): string {
  return ['external', ...safeSegments(file.split(/[\\/]+/))].join('/');
}

function safeSegments(parts: string[]): string[] {
  return parts
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    // Drive letters and characters Windows cannot store become underscores.
    .map((s) => s.replace(/[:*?"<>|\u0000-\u001f]/g, '_'));
}

/** Already-compressed formats are stored as they are; deflating them again only costs time. */
export { worthCompressing } from '../util/compression.ts';
