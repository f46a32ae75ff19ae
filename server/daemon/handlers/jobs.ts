import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import type { CallContext } from '../context.ts';

export async function cancel(params: ParamsOf<'job.cancel'>, ctx: CallContext): Promise<ResultOf<'job.cancel'>> {
  return { cancelled: ctx.daemon.jobs.cancel(params.jobId, ctx.connectionId) };
}
