import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerPack(program: Command): void {
  program
    .command('pack')
    .description('bulk bundle for a marketplace (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon pack: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
