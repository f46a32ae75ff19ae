import type { Command } from 'commander';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('open the local dashboard in your browser through a one-time login link (needs a running daemon)')
    .option('--print-url', 'print the one-time login URL instead of opening a browser')
    .action(async (flags: { printUrl?: boolean }) => {
      try {
        const [{ openInBrowser, requestLoginUrl }, { resolvePaths }] = await Promise.all([import('../../dashboard/client.ts'), import('../../paths.ts')]);
        const { url } = await requestLoginUrl(resolvePaths());
        if (flags.printUrl) {
          process.stdout.write(url + '\n');
          process.stderr.write('The link logs in once and expires in two minutes. Open it in a browser on this machine.\n');
          return;
        }
        if (await openInBrowser(url)) {
          process.stderr.write('Opened the dashboard in your browser.\n');
        } else {
          process.stderr.write('No desktop browser to open here; open this link on this machine (it works once, for two minutes):\n');
          process.stdout.write(url + '\n');
        }
      } catch (err) {
        writeHuman(process.stderr, `colophon dashboard: ${(err as Error).message}\n`);
        process.exitCode = EXIT.FAILED;
      }
    });
}
