import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { COMMANDS } from './commands/index.ts';
import { EXIT } from './exit.ts';
import { writeHuman } from './safe-text.ts';
import { tuneHeapForPipeline } from '../util/heap.ts';

tuneHeapForPipeline();

const program = new Command('colophon')
  .description('Rights metadata, public previews, private delivery and an evidence log for Blender artists.')
  .version(pkg.version)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version are not errors; everything else commander raises is a usage error.
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    process.exitCode = ok ? EXIT.OK : EXIT.USAGE;
  } else {
    writeHuman(process.stderr, `colophon: ${(err as Error).message}\n`);
    process.exitCode = EXIT.FAILED;
  }
}
