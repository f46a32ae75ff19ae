import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import type { Failure } from '../../../protocol/src/results.ts';
import path from 'node:path';
import * as pipeline from '../../pipeline/process.ts';
import { assertOutputRootSafe } from '../../util/confine.ts';
import type { CallContext } from '../context.ts';
import { notAbsoluteMessage, requireAbsolute } from './inputs.ts';

export async function processAssets(params: ParamsOf<'asset.process'>, ctx: CallContext): Promise<ResultOf<'asset.process'>> {
  if (params.display != null) requireAbsolute(params.display, 'display');
  const relative: Failure[] = params.paths
    .filter((p) => !path.isAbsolute(p))
    .map((p) => ({ input: p, code: 'PATH_NOT_ALLOWED', message: notAbsoluteMessage(p) }));
  const paths = params.paths.filter((p) => path.isAbsolute(p));
  // A render sends its scene context; without it the request most likely came from a script.
  const source = params.source ?? (params.context != null ? 'f12' : 'cli');
  const report = paths.length === 0
    ? { results: [], errors: [] }
    : await ctx.daemon.jobs.submit(ctx.connectionId, async ({ signal }) => {
      const { profile, outRoot } = await pipelineEnv(ctx);
      return pipeline.processPaths(paths, { source, context: params.context, display: params.display, signal }, { profile, outRoot, ledger: ctx.daemon.ledger, configDir: ctx.daemon.paths.configDir });
    }, { kind: source, label: paths.length === 1 ? paths[0]! : `${paths.length} files` }).done;
  return { results: report.results, errors: [...relative, ...report.errors] };
}

export async function exportPreview(params: ParamsOf<'preview.export'>, ctx: CallContext): Promise<ResultOf<'preview.export'>> {
  const file = requireAbsolute(params.path, 'path');
  const preview: NonNullable<pipeline.ProcessRequest['preview']> = {};
  if (params.longEdge != null) preview.longEdge = params.longEdge;
  if (params.format != null) preview.format = params.format;
  if (params.watermark != null) preview.watermark = params.watermark;
  return ctx.daemon.jobs.submit(ctx.connectionId, async ({ signal }) => {
    const { profile, outRoot } = await pipelineEnv(ctx);
    return pipeline.processFile(file, { source: 'export', publicPreview: 'always', preview, signal }, { profile, outRoot, ledger: ctx.daemon.ledger, configDir: ctx.daemon.paths.configDir });
  }, { kind: 'export', label: file }).done;
}

/** The profile as it is now, and its output root once checked (inside the job, so BUSY is decided on arrival). */
async function pipelineEnv(ctx: CallContext) {
  const { profile } = await ctx.daemon.loadProfile();
  await assertOutputRootSafe(profile.output.root);
  return { profile, outRoot: profile.output.root };
}
