import fs from 'node:fs/promises';
import path from 'node:path';
import { ColophonError } from '../errors.ts';

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Creates `<root>/<sub>` and returns it, refusing when it resolves (through `..` or a symlink)
 * to a place outside the output root: the daemon writes nowhere else.
 */
export async function confinedDir(root: string, sub: string): Promise<string> {
  const absRoot = path.resolve(root);
  const target = path.resolve(absRoot, sub);
  if (!inside(absRoot, target)) {
    throw new ColophonError('PATH_NOT_ALLOWED', `${target} is outside the output root ${absRoot}; the daemon writes only there.`);
  }
  await fs.mkdir(target, { recursive: true });
  await assertConfined(absRoot, target);
  return target;
}

/** Throws PATH_NOT_ALLOWED when `target` (which exists) really lives outside `root`, e.g. via a symlink. */
export async function assertConfined(root: string, target: string): Promise<void> {
  const [realRoot, realTarget] = await Promise.all([fs.realpath(root), fs.realpath(target)]);
  if (!inside(realRoot, realTarget)) {
    throw new ColophonError(
      'PATH_NOT_ALLOWED',
      `${target} leads to ${realTarget}, outside the output root ${realRoot} (a symlink?). The daemon writes only inside the output root; remove the link or change output.root.`,
    );
  }
}

/** Checks the output root's public/ and private/ folders before the pipeline writes into them. */
export async function assertOutputRootSafe(root: string): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  for (const sub of ['public', 'private']) {
    const p = path.join(root, sub);
    try {
      await fs.lstat(p);
    } catch {
      continue;
    }
    await assertConfined(root, p);
  }
}
