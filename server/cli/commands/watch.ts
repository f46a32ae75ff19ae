import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('process files as they appear in a folder (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon watch: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
