import type { Command } from 'commander';
import { DATA_MINING_CODES, type ProfileInput } from '../../../protocol/src/profile.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

interface InitFlags {
  creator?: string;
  email?: string;
  url?: string;
  licence?: string;
  licenceUrl?: string;
  dataMining?: string;
  webStatement?: string;
  out?: string;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write the profile (config.json) from flags; unset fields keep their defaults')
    .option('--creator <name>', 'your name as it should appear in every file')
    .option('--email <address>', 'contact e-mail')
    .option('--url <url>', 'your website or portfolio')
    .option('--licence <name>', 'licence name (default "All rights reserved")')
    .option('--licence-url <url>', 'where the licence text lives')
    .option('--data-mining <code>', `PLUS DataMining code: ${DATA_MINING_CODES.join(', ')}`)
    .option('--web-statement <url>', 'URL of your licence/terms page')
    .option('--out <dir>', 'default output root for processed files')
    .action(async (flags: InitFlags) => {
      const [{ saveProfile }, { resolvePaths }] = await Promise.all([import('../../config.ts'), import('../../paths.ts')]);
      const paths = resolvePaths();
      const profile: ProfileInput = {};
      if (flags.creator != null) {
        profile.creator = { name: flags.creator };
        if (flags.email != null) profile.creator.email = flags.email;
        if (flags.url != null) profile.creator.url = flags.url;
      }
      if (flags.licence != null || flags.licenceUrl != null) {
        profile.licence = { name: flags.licence ?? 'All rights reserved' };
        if (flags.licenceUrl != null) profile.licence.url = flags.licenceUrl;
      }
      if (flags.dataMining != null) profile.dataMining = flags.dataMining as ProfileInput['dataMining'];
      if (flags.webStatement != null) profile.webStatement = flags.webStatement;
      if (flags.out != null) profile.output = { root: flags.out };
      try {
        await saveProfile(profile, paths);
      } catch (err) {
        writeHuman(process.stderr, `colophon init: ${(err as Error).message}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      writeHuman(process.stdout, `Profile written to ${paths.config}\n`);
    });
}
