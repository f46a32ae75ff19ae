import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerLicense(program: Command): void {
  program
    .command('license')
    .description('record a licence granted to someone (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon license: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
