import type { Profile } from '../protocol/src/profile.ts';
import { loadProfile } from './config.ts';
import { Ledger } from './ledger/ledger.ts';
import { resolvePaths, type ColophonPaths } from './paths.ts';
import { closeExifTool } from './pipeline/exiftool.ts';

/** What every command and the daemon share: where files live, the profile, the ledger. */
export interface Services {
  paths: ColophonPaths;
  profile: Profile;
  profileWarnings: string[];
  ledger: Ledger;
  close(): Promise<void>;
}

export async function openServices(env: NodeJS.ProcessEnv = process.env): Promise<Services> {
  const paths = resolvePaths(env);
  const { profile, warnings } = await loadProfile(paths);
  return {
    paths,
    profile,
    profileWarnings: warnings,
    ledger: new Ledger(paths.ledger, { lockMs: profile.limits.timeouts.ledgerLockMs }),
    close: closeExifTool,
  };
}
