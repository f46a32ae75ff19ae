import path from 'node:path';

/** Why a relative path would cause trouble on another system or a marketplace; empty when it is portable. */
export function nameProblems(rel: string): string[] {
  const problems: string[] = [];
  for (const part of rel.split('/')) {
    if (/[^\x20-\x7e]/.test(part)) problems.push(`"${part}" has non-ASCII characters`);
    if (part.includes(' ')) problems.push(`"${part}" contains spaces`);
    if (/[<>:"|?*\\]/.test(part)) problems.push(`"${part}" has characters Windows does not allow (<>:"|?*\\)`);
    if (/[. ]$/.test(part)) problems.push(`"${part}" ends with a dot or space, which Windows drops`);
    if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(part)) problems.push(`"${part}" is a reserved name on Windows`);
  }
  return problems;
}

/** Groups of paths that differ only in letter case (they overwrite each other on Windows and macOS). */
export function caseClashes(rels: string[]): string[][] {
  const byLower = new Map<string, string[]>();
  for (const rel of rels) {
    const key = rel.toLowerCase();
    const group = byLower.get(key);
    if (group) group.push(rel);
    else byLower.set(key, [rel]);
  }
  return [...byLower.values()].filter((g) => g.length > 1);
}

/** A folder name for the pack's outputs: the input's name without .zip, made safe for any file system. */
export function packNameFor(input: string): string {
  let base = path.basename(path.resolve(input));
  if (/\.zip$/i.test(base)) base = base.slice(0, -4);
  const safe = base.replace(/[<>:"/\\|?*\x00-\x1f]/g, '_').replace(/^\.+/, '').trim();
  return safe === '' ? 'pack' : safe;
}

/** Forward-slash relative path, the form used in manifests, zips and SHA256SUMS. */
export function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}
