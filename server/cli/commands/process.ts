import path from 'node:path';
import type { Command } from 'commander';
import { SOURCES, type ProcessReport, type Source } from '../../../protocol/src/results.ts';
import { EXIT } from '../exit.ts';
import { safeText, writeHuman } from '../safe-text.ts';

interface ProcessFlags {
  out?: string;
  json?: boolean;
  source: string;
  ledger: boolean;
}

export function registerProcess(program: Command): void {
  program
    .command('process')
    .description('classify, stamp, preview, hash and split files and folders (SPEC §4)')
    .argument('<path...>', 'files or folders to process')
    .option('--out <dir>', 'output root (default: the profile\'s output.root)')
    .option('--json', 'print { results, errors } as JSON on stdout')
    .option('--source <source>', `how the files arrived: ${SOURCES.join(', ')}`, 'cli')
    .option('--no-ledger', 'do not record the assets in the evidence ledger')
    .action(async (inputs: string[], flags: ProcessFlags) => {
      if (!(SOURCES as readonly string[]).includes(flags.source)) {
        writeHuman(process.stderr, `colophon process: unknown --source "${flags.source}"; use one of ${SOURCES.join(', ')}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      // Loaded here, not at start-up: `--help` and other commands never pay for the pipeline.
      const [{ openServices }, { processPaths }] = await Promise.all([import('../../services.ts'), import('../../pipeline/process.ts')]);
      const services = await openServices();
      try {
        for (const w of services.profileWarnings) writeHuman(process.stderr, `warning: ${w}\n`);
        const outRoot = path.resolve(flags.out ?? services.profile.output.root);
        const report = await processPaths(
          inputs,
          { source: flags.source as Source },
          { profile: services.profile, outRoot, ledger: flags.ledger ? services.ledger : null },
          flags.json ? undefined : (done, total, current) => {
            if (current != null && process.stderr.isTTY) process.stderr.write(`[${done}/${total}] ${safeText(current)}\r`);
          },
        );
        if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else printHuman(report);
        process.exitCode = report.errors.length === 0 ? EXIT.OK : EXIT.FAILED;
      } finally {
        await services.close();
      }
    });
}

function printHuman(report: ProcessReport): void {
  for (const r of report.results) {
    const role = r.input.role != null ? `/${r.input.role}` : '';
    writeHuman(process.stdout, `✓ ${r.input.path}  [${r.input.kind}${role}${r.input.sourceRich ? ', source-rich' : ''}]  asset ${r.assetId}\n`);
    for (const o of r.outputs) writeHuman(process.stdout, `    ${o.visibility.padEnd(7)} ${o.purpose.padEnd(8)} ${o.path}\n`);
    for (const w of r.warnings) writeHuman(process.stdout, `    warning: ${w}\n`);
  }
  for (const e of report.errors) writeHuman(process.stdout, `✗ ${e.input}  ${e.code}: ${e.message}\n`);
  writeHuman(process.stdout, `${report.results.length} processed, ${report.errors.length} failed\n`);
}
