import type { ParamsOf, ResultOf } from '../../protocol/src/registry.ts';
import type { CallContext } from '../daemon/context.ts';
import { ColophonError } from '../errors.ts';
import { dashboardOf } from './auth.ts';

/** `dashboard.login`: only a client holding the token (the CLI, the add-on) can get a login URL. */
export async function dashboardLogin(_params: ParamsOf<'dashboard.login'>, ctx: CallContext): Promise<ResultOf<'dashboard.login'>> {
  const handle = dashboardOf(ctx.daemon);
  if (handle == null) {
    throw new ColophonError('NOT_IMPLEMENTED', 'This daemon was started without the dashboard. Restart it with `colophon serve`.');
  }
  const { code, expiresAt } = handle.auth.issueCode();
  return { url: `${handle.origin()}/login?code=${code}`, expiresAt: expiresAt.toISOString() };
}
