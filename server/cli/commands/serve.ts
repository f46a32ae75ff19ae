import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the daemon on 127.0.0.1 (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon serve: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
