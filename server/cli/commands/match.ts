import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('find which recorded assets these files copy (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon match: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
