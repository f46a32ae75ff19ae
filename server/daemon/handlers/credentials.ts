import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import { verifyCredential } from '../../c2pa/verify.ts';
import type { CallContext } from '../context.ts';
import { requireAbsolute } from './inputs.ts';

/** Reads only: validates the file's Content Credential and looks its bytes up in the ledger. */
export async function verifyCredentials(params: ParamsOf<'credentials.verify'>, ctx: CallContext): Promise<ResultOf<'credentials.verify'>> {
  const file = requireAbsolute(params.path, 'path');
  return ctx.daemon.jobs.submit(ctx.connectionId, async () => verifyCredential(file, ctx.daemon.ledger)).done;
}
