import path from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../lazy.ts';
import { writeHuman } from '../safe-text.ts';

export function registerEvidence(program: Command): void {
  program
    .command('evidence')
    .description('write a self-contained, printable HTML evidence report for an asset, a processed file or a folder/pack')
    .argument('<target>', 'assetId, a processed file (found by SHA-256), or a folder of processed files')
    .option('--out <file>', 'where to write the report (default: <assetId or folder name>.evidence.html in the current folder)')
    .action((target: string, flags: { out?: string }) =>
      runCommand('evidence', async ({ ledger }) => {
        const [{ loadAssetIndex, resolveTarget }, { buildEvidence }, { renderEvidenceHtml }, { writeFileAtomic }] = await Promise.all([
          import('../../evidence/assets.ts'), import('../../evidence/report.ts'), import('../../evidence/report-html.ts'), import('../../util/atomic.ts'),
        ]);
        const index = await loadAssetIndex(ledger);
        for (const p of index.problems) writeHuman(process.stderr, `colophon evidence: warning: ${p}; that entry is left out.\n`);
        const resolved = await resolveTarget(index, target);
        const report = await buildEvidence(ledger, index, resolved.assets, resolved.label, resolved.unrecorded);
        const name = resolved.assets.length === 1 ? resolved.assets[0]!.assetId : path.basename(path.resolve(target));
        const out = path.resolve(flags.out ?? `${name}.evidence.html`);
        await writeFileAtomic(out, renderEvidenceHtml(report));
        writeHuman(process.stdout, `Evidence report for ${resolved.assets.length} asset(s) written to ${out}\n`);
        if (!report.verify.ok) {
          writeHuman(process.stderr, `colophon evidence: warning: the ledger does not verify (${report.verify.problem}); the report says so.\n`);
          process.exitCode = 1;
        }
      }),
    );
}
