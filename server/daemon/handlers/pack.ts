import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import { runPack } from '../../pack/run.ts';
import { confinedDir } from '../../util/confine.ts';
import type { CallContext } from '../context.ts';
import { toRpcError } from '../rpc.ts';
import { requireAbsolute } from './inputs.ts';

/** Starts a pack job and answers { jobId } at once; progress and the outcome come as notifications. */
export async function processPack(params: ParamsOf<'pack.process'>, ctx: CallContext): Promise<ResultOf<'pack.process'>> {
  const input = requireAbsolute(params.path, 'path');
  const { profile } = await ctx.daemon.loadProfile();
  const outDir = await confinedDir(profile.output.root, 'packs');
  const { jobId, done } = ctx.daemon.jobs.submit(ctx.connectionId, ({ jobId: id, signal }) =>
    runPack(input, {
      outDir,
      market: params.profile ?? 'generic',
      env: { profile, ledger: ctx.daemon.ledger, configDir: ctx.daemon.paths.configDir },
      signal,
      onProgress: (d, total, current) => {
        ctx.daemon.jobs.progress(id, d, total, current);
        ctx.notify('job.progress', { jobId: id, done: d, total, ...(current != null ? { current } : {}) });
      },
    }),
    { kind: 'pack', label: input },
  );
  done.then(
    (result) => ctx.notify('job.finished', { jobId, result }),
    (err: unknown) => ctx.notify('job.finished', { jobId, error: toRpcError(err) }),
  );
  return { jobId };
}
