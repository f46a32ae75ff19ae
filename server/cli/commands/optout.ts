import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerOptout(program: Command): void {
  program
    .command('optout')
    .description('opt-out requests and responses (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon optout: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
