import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import { archiveBlend } from '../../archive/blend-archive.ts';
import type { CallContext } from '../context.ts';
import { requireAbsolute } from './inputs.ts';

export async function archive(params: ParamsOf<'blend.archive'>, ctx: CallContext): Promise<ResultOf<'blend.archive'>> {
  const blend = requireAbsolute(params.blend, 'blend');
  const copy = params.copy != null ? requireAbsolute(params.copy, 'copy') : undefined;
  const { archive: out, included, missing, assetId } = await ctx.daemon.jobs.submit(ctx.connectionId, async ({ signal }) => {
    const { profile } = await ctx.daemon.loadProfile();
    return archiveBlend({ blend, dependencies: params.dependencies, ...(params.name != null ? { name: params.name } : {}), ...(copy != null ? { copy } : {}), signal }, { profile, outRoot: profile.output.root, ledger: ctx.daemon.ledger, configDir: ctx.daemon.paths.configDir });
  }).done;
  return { archive: out, included, missing, assetId };
}
