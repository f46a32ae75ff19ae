import path from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

interface WatchFlags {
  out?: string;
  settle: string;
  ledger: boolean;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('process files as they appear in a folder (e.g. Blender\'s output folder); Ctrl-C stops')
    .argument('<folder>', 'the folder to watch (sub-folders included)')
    .option('--out <dir>', 'output root (default: the profile\'s output.root)')
    .option('--settle <ms>', 'how long a file must stop growing before it is processed', '1000')
    .option('--no-ledger', 'do not record the assets in the evidence ledger')
    .action(async (folder: string, flags: WatchFlags) => {
      const settle = Number(flags.settle);
      if (!Number.isInteger(settle) || settle < 50) {
        writeHuman(process.stderr, 'colophon watch: --settle must be a whole number of milliseconds, at least 50\n');
        process.exitCode = EXIT.USAGE;
        return;
      }
      const [{ openServices }, { startWatch }] = await Promise.all([import('../../services.ts'), import('../../watch/watcher.ts')]);
      const services = await openServices();
      for (const w of services.profileWarnings) writeHuman(process.stderr, `warning: ${w}\n`);
      const log = (line: string) => writeHuman(process.stderr, line + '\n');
      let watching;
      try {
        watching = await startWatch({
          folder,
          env: { profile: services.profile, outRoot: path.resolve(flags.out ?? services.profile.output.root), ledger: flags.ledger ? services.ledger : null },
          stabilityMs: settle,
          log,
        });
      } catch (err) {
        writeHuman(process.stderr, `colophon watch: cannot watch ${folder}: ${(err as Error).message}\n`);
        process.exitCode = EXIT.FAILED;
        await services.close();
        return;
      }
      await watching.ready;
      log(`watching ${path.resolve(folder)} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      log('stopping: finishing the file in progress…');
      await watching.close();
      await services.close();
      log('stopped');
      process.exitCode = EXIT.OK;
    });
}
