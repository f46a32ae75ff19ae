import fs from 'node:fs/promises';
import path from 'node:path';
import { confinedDir } from '../../util/confine.ts';
import { describeOutput, prepareMaster, writeMaster, writePreview, type PreparedMaster } from '../outputs.ts';
import { phash } from '../phash.ts';
import { checkAbort } from './read-input.ts';
import type { AssetContext } from './context.ts';

/**
 * Creates an output folder inside the root, remembering each folder on the way that is new (`private/` on a first
 * run as well as `private/<assetId>/`), outermost first, so a failure can remove them again.
 */
async function makeDir(ctx: AssetContext, sub: string, opts: { private?: boolean } = {}): Promise<void> {
  const fresh: string[] = [];
  let dir = ctx.env.outRoot;
  for (const part of path.normalize(sub).split(path.sep).filter((p) => p !== '' && p !== '.')) {
    dir = path.join(dir, part);
    if (!(await fs.stat(dir).then(() => true, () => false))) fresh.push(dir);
  }
  await confinedDir(ctx.env.outRoot, sub, opts);
  ctx.madeDirs.push(...fresh);
}

/**
 * Stage 5, first half, started as soon as the plan is made: the master stamped and signed under a temp name beside
 * its destination (when it can be), while the picture decodes on libvips' threads. It is moved into place only once
 * the decode has succeeded; otherwise the caller discards it.
 */
export async function signMasterStage(ctx: AssetContext): Promise<PreparedMaster | null> {
  const { env } = ctx;
  await makeDir(ctx, ctx.layout.privateDir, { private: true });
  return prepareMaster(ctx.input, ctx.cls!.format, masterPathOf(ctx), ctx.rights!, credentialOf(env), ctx.label);
}

function masterPathOf(ctx: AssetContext): string {
  return path.join(ctx.env.outRoot, ctx.layout.privateDir, path.basename(ctx.input.file));
}

function credentialOf(env: AssetContext['env']) {
  return { profile: env.profile, ...(env.configDir != null ? { configDir: env.configDir } : {}) };
}

/**
 * Stage 5: the outputs, each as stamp → sign → hash (outputs.ts): the private master (with its sidecars), then the
 * public preview, which names the signed master as its parent ingredient.
 */
export async function writeOutputsStage(ctx: AssetContext, signedMaster?: PreparedMaster | null): Promise<void> {
  const { env, layout } = ctx;
  const cls = ctx.cls!;
  const rights = ctx.rights!;
  checkAbort(ctx.req.signal);
  await makeDir(ctx, layout.privateDir, { private: true });
  const credential = credentialOf(env);
  const masterPath = masterPathOf(ctx);
  const dims = { ...(ctx.width != null ? { width: ctx.width } : {}), ...(ctx.height != null ? { height: ctx.height } : {}) };
  const master = await writeMaster(ctx.input, cls.format, masterPath, rights, dims, credential, ctx.label, signedMaster);
  ctx.warnings.push(...master.warnings);
  ctx.outputs.push(...master.outputs);
  const { preview, plan } = ctx;
  if (preview == null || plan == null) return;
  checkAbort(ctx.req.signal);
  const rel = layout.previewFile(plan.format === 'webp' ? 'webp' : 'jpg');
  await makeDir(ctx, path.dirname(rel));
  const dest = path.join(env.outRoot, rel);
  const written = await writePreview(preview.buffer, plan.format, dest, rights, { ...credential, parent: masterPath }, ctx.label);
  ctx.warnings.push(...written.warnings);
  ctx.outputs.unshift(await describeOutput(dest, {
    visibility: 'public', purpose: 'preview', metadata: 'embedded', credential: written.credential,
    width: preview.width, height: preview.height, phash: await phash(preview.buffer),
  }, written.hashed));
}
