import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerEvidence(program: Command): void {
  program
    .command('evidence')
    .description('printable HTML evidence report (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon evidence: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
