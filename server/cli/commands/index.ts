import type { Command } from 'commander';
import { registerDashboard } from './dashboard.ts';
import { registerEvidence } from './evidence.ts';
import { registerInit } from './init.ts';
import { registerKeys } from './keys.ts';
import { registerLedger } from './ledger.ts';
import { registerLicense } from './license.ts';
import { registerMatch } from './match.ts';
import { registerOptout } from './optout.ts';
import { registerPack } from './pack.ts';
import { registerProcess } from './process.ts';
import { registerPublish } from './publish.ts';
import { registerServe } from './serve.ts';
import { registerSitekit } from './sitekit.ts';
import { registerVerify } from './verify.ts';
import { registerWatch } from './watch.ts';

/** Each command lives in its own module and adds itself to the program. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerInit,
  registerServe,
  registerProcess,
  registerPack,
  registerWatch,
  registerLedger,
  registerPublish,
  registerLicense,
  registerOptout,
  registerEvidence,
  registerMatch,
  registerSitekit,
  registerDashboard,
  registerVerify,
  registerKeys,
];
