import fs from 'node:fs/promises';
import path from 'node:path';
import { ColophonError } from '../errors.ts';

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** Folders that hold private masters: owner-only, so other local users cannot list or read them. */
const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `<root>/<sub>` and returns it, refusing when it resolves (through `..` or a symlink at any level, e.g.
 * `private/<assetId>` linked elsewhere) to a place outside the output root: the daemon writes nowhere else.
 * With `private`, every folder from `<root>/<first part of sub>` down is made (or tightened to) mode 0700.
 */
export async function confinedDir(root: string, sub: string, opts: { private?: boolean } = {}): Promise<string> {
  const absRoot = path.resolve(root);
  const target = path.resolve(absRoot, sub);
  if (!inside(absRoot, target)) {
    throw new ColophonError('PATH_NOT_ALLOWED', `${target} is outside the output root ${absRoot}; the daemon writes only there.`);
  }
  await fs.mkdir(target, opts.private === true ? { recursive: true, mode: PRIVATE_DIR_MODE } : { recursive: true });
  await assertConfined(absRoot, target);
  if (opts.private === true) await tighten(absRoot, target);
  return target;
}

/** Like confinedDir's check, for a folder that may not exist yet (nothing is created). */
export async function assertConfinedIfExists(root: string, target: string): Promise<void> {
  try {
    await fs.lstat(target);
  } catch {
    return;
  }
  await assertConfined(root, target);
}

/** An output root made by an older version may have 0755 private folders: tighten them before writing into them. */
async function tighten(root: string, target: string): Promise<void> {
  const parts = path.relative(root, target).split(path.sep);
  for (let i = 1; i <= parts.length; i++) {
    const dir = path.join(root, ...parts.slice(0, i));
    const st = await fs.stat(dir);
    // Only the owner may change a folder's mode; a folder someone else set up for us is left as they made it.
    if ((st.mode & 0o777) !== PRIVATE_DIR_MODE && st.uid === process.getuid?.()) await fs.chmod(dir, PRIVATE_DIR_MODE);
  }
}

/** Throws PATH_NOT_ALLOWED when `target` (which exists) really lives outside `root`, e.g. via a symlink. */
async function assertConfined(root: string, target: string): Promise<void> {
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
