import fs from 'node:fs/promises';
import path from 'node:path';
import { confinedDir } from '../../util/confine.ts';
import { writeMaster, writePreview, describeOutput } from '../outputs.ts';
import { phash } from '../phash.ts';
import { checkAbort } from './read-input.ts';
import type { AssetContext } from './context.ts';

/** Creates an output folder inside the root, remembering it when it is new so a failure can remove it again. */
async function makeDir(ctx: AssetContext, sub: string, opts: { private?: boolean } = {}): Promise<void> {
  const dir = path.join(ctx.env.outRoot, sub);
  const existed = await fs.stat(dir).then(() => true, () => false);
  await confinedDir(ctx.env.outRoot, sub, opts);
  if (!existed) ctx.madeDirs.push(dir);
}

/**
 * Stage 5: the outputs, each as stamp → sign → hash (outputs.ts): the private master (with its sidecars), then the
 * public preview, which names the signed master as its parent ingredient.
 */
export async function writeOutputsStage(ctx: AssetContext): Promise<void> {
  const { env, layout } = ctx;
  const cls = ctx.cls!;
  const rights = ctx.rights!;
  checkAbort(ctx.req.signal);
  await makeDir(ctx, layout.privateDir, { private: true });
  const credential = { profile: env.profile, ...(env.configDir != null ? { configDir: env.configDir } : {}) };
  const masterPath = path.join(env.outRoot, layout.privateDir, path.basename(ctx.input.file));
  const dims = { ...(ctx.width != null ? { width: ctx.width } : {}), ...(ctx.height != null ? { height: ctx.height } : {}) };
  const master = await writeMaster(ctx.input, cls.format, masterPath, rights, dims, credential, ctx.label);
  ctx.warnings.push(...master.warnings);
  ctx.outputs.push(...master.outputs);
  const { preview, plan } = ctx;
  if (preview == null || plan == null) return;
  checkAbort(ctx.req.signal);
  const rel = layout.previewFile(plan.format === 'webp' ? 'webp' : 'jpg');
  await makeDir(ctx, path.dirname(rel));
  const dest = path.join(env.outRoot, rel);
  const parent = { parent: masterPath, ...(master.bytes != null ? { parentBytes: master.bytes } : {}) };
  const written = await writePreview(preview.buffer, plan.format, dest, rights, { ...credential, ...parent }, ctx.label);
  ctx.warnings.push(...written.warnings);
  ctx.outputs.unshift(await describeOutput(dest, {
    visibility: 'public', purpose: 'preview', metadata: 'embedded', credential: written.credential,
    width: preview.width, height: preview.height, phash: await phash(preview.buffer),
  }, written.hashed));
}
