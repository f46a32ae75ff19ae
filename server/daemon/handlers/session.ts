import type { ParamsOf, ResultOf } from '../../../protocol/src/registry.ts';
import { PROTOCOL_VERSION, SERVER_NAME } from '../../../protocol/src/version.ts';
import type { CallContext } from '../context.ts';
import { expandTemplate } from '../../config.ts';
import { licenceText, stampNote } from '../../licence-text.ts';

export async function hello(_params: ParamsOf<'session.hello'>, ctx: CallContext): Promise<ResultOf<'session.hello'>> {
  const { profile, warnings } = await ctx.daemon.loadProfile();
  return {
    protocol: PROTOCOL_VERSION,
    server: { name: SERVER_NAME, version: ctx.daemon.version },
    profile: { creator: profile.creator, licence: profile.licence, dataMining: profile.dataMining },
    warnings,
    rights: { copyright: expandTemplate(profile.copyright, profile), stampNote: stampNote(profile), licenceText: licenceText(profile) },
  };
}
