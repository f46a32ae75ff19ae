import type { MethodName, ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import type { CallContext } from '../context.ts';
import { archive } from './archive.ts';
import { exportPreview, processAssets } from './assets.ts';
import { verifyCredentials } from './credentials.ts';
import { cancel } from './jobs.ts';
import { query, verify } from './ledger.ts';
import { processPack } from './pack.ts';
import { hello } from './session.ts';
import { dashboardLogin } from '../../dashboard/login-rpc.ts';

export type Handler<M extends MethodName> = (params: ParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>>;

/** One handler per registry method; the mapped type makes a missing one a compile error. */
export const HANDLERS: { [M in MethodName]: Handler<M> } = {
  'session.hello': hello,
  'asset.process': processAssets,
  'preview.export': exportPreview,
  'blend.archive': archive,
  'pack.process': processPack,
  'job.cancel': cancel,
  'ledger.verify': verify,
  'ledger.query': query,
  'dashboard.login': dashboardLogin,
  'credentials.verify': verifyCredentials,
};
