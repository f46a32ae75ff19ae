import type { Command } from 'commander';
import { printJson, runCommand } from '../lazy.ts';
import { writeHuman } from '../safe-text.ts';

interface PublishFlags {
  where: string;
  url: string;
  date?: string;
  json?: boolean;
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('record where and when an asset was published (appends asset.published to the ledger)')
    .argument('<asset>', 'assetId, or the path of a processed file (found by its SHA-256)')
    .requiredOption('--where <platform>', 'where it was published, e.g. ArtStation')
    .requiredOption('--url <url>', 'the public address of the post')
    .option('--date <date>', 'publication date, YYYY-MM-DD (default: today)')
    .option('--json', 'print the ledger entry as JSON')
    .action((target: string, flags: PublishFlags) =>
      runCommand('publish', async ({ ledger }) => {
        const [{ loadAssetIndex, resolveOneAsset }, { recordPublication }] = await Promise.all([import('../../evidence/assets.ts'), import('../../evidence/records.ts')]);
        const asset = await resolveOneAsset(await loadAssetIndex(ledger), target);
        const entry = await recordPublication(ledger, asset, flags);
        if (flags.json) printJson(entry);
        else writeHuman(process.stdout, `Recorded publication of ${asset.assetId} on ${String(entry.data.where)} (ledger entry ${entry.seq}).\n`);
      }),
    );
}
