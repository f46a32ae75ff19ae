import type { Command } from 'commander';
import { EXIT } from '../exit.ts';

// Placeholder until this command lands; it says so rather than pretending to work.
export function registerSitekit(program: Command): void {
  program
    .command('sitekit')
    .description('robots.txt, tdmrep.json, ai.txt, headers, meta, TERMS.md (not yet available)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('colophon sitekit: not available yet in this build\n');
      process.exitCode = EXIT.FAILED;
    });
}
