import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import type { CallContext } from '../context.ts';

export async function verify(_params: ParamsOf<'ledger.verify'>, ctx: CallContext): Promise<ResultOf<'ledger.verify'>> {
  return ctx.daemon.ledger.verify();
}

export async function query(params: ParamsOf<'ledger.query'>, ctx: CallContext): Promise<ResultOf<'ledger.query'>> {
  return { entries: await ctx.daemon.ledger.query({ ...params, limit: params.limit ?? 100 }) };
}
