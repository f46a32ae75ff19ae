import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('record where an asset was published (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon publish: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
