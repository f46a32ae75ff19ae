import type { Command } from 'commander';
import { printJson, runCommand } from '../lazy.ts';
import { writeHuman } from '../safe-text.ts';

interface LicenseFlags {
  to: string;
  terms?: string;
  date?: string;
  json?: boolean;
}

export function registerLicense(program: Command): void {
  program
    .command('license')
    .alias('licence')
    .description('record a licence granted for an asset (appends asset.licensed), so a licensee is never accused')
    .argument('<asset>', 'assetId, or the path of a processed file (found by its SHA-256)')
    .requiredOption('--to <licensee>', 'who received the licence')
    .option('--terms <text>', 'the terms, or where they are written')
    .option('--date <date>', 'date of the licence, YYYY-MM-DD (default: today)')
    .option('--json', 'print the ledger entry as JSON')
    .action((target: string, flags: LicenseFlags) =>
      runCommand('license', async ({ ledger }) => {
        const [{ loadAssetIndex, resolveOneAsset }, { recordLicence }] = await Promise.all([import('../../evidence/assets.ts'), import('../../evidence/records.ts')]);
        const asset = await resolveOneAsset(await loadAssetIndex(ledger), target);
        const entry = await recordLicence(ledger, asset, flags);
        if (flags.json) printJson(entry);
        else writeHuman(process.stdout, `Recorded licence of ${asset.assetId} to ${String(entry.data.licensee)} (ledger entry ${entry.seq}).\n`);
      }),
    );
}
