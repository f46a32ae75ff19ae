import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerLedger(program: Command): void {
  program
    .command('ledger')
    .description('the evidence log (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon ledger: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
