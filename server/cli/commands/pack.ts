import path from 'node:path';
import type { Command } from 'commander';
import { PACK_PROFILES as MARKET_PROFILES } from '../../../protocol/src/methods.ts';
import type { MarketProfile } from '../../pack/markets.ts';
import type { PackResult } from '../../pack/run.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

interface PackFlags {
  out?: string;
  profile: string;
  json?: boolean;
  ledger: boolean;
}

export function registerPack(program: Command): void {
  program
    .command('pack')
    .description('prepare an asset pack (folder or zip) for marketplace upload: previews, contact sheets, a delivery zip with licence and checksums, and a pre-flight report')
    .argument('<pack>', 'the pack: a folder or a .zip')
    .option('--out <dir>', 'outputs go to <dir>/<pack-name>/ (default: <output.root>/packs)')
    .option('--profile <market>', `marketplace rules to check against: ${MARKET_PROFILES.join(', ')}`, 'generic')
    .option('--json', 'print { results, errors, archive, report } as JSON on stdout (archive and report are null when the whole pack failed)')
    .option('--no-ledger', 'do not record the assets in the evidence ledger')
    .action(async (input: string, flags: PackFlags) => {
      if (!(MARKET_PROFILES as readonly string[]).includes(flags.profile)) {
        writeHuman(process.stderr, `colophon pack: unknown --profile "${flags.profile}"; use one of ${MARKET_PROFILES.join(', ')}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const [{ toColophonError }, { progressBar }, { runPack }, { openServices }] = await Promise.all([
        import('../../errors.ts'), import('../../pack/progress-bar.ts'), import('../../pack/run.ts'), import('../../services.ts'),
      ]);
      const services = await openServices();
      const abort = new AbortController();
      const onSigint = () => {
        writeHuman(process.stderr, '\ncolophon pack: stopping after the files in progress (finished files are kept; run again to resume)\n');
        abort.abort();
      };
      process.once('SIGINT', onSigint);
      const bar = progressBar(!flags.json);
      try {
        if (!flags.json) for (const w of services.profileWarnings) writeHuman(process.stderr, `warning: ${w}\n`);
        const outDir = path.resolve(flags.out ?? path.join(services.profile.output.root, 'packs'));
        const result = await runPack(input, {
          outDir,
          market: flags.profile as MarketProfile,
          env: { profile: services.profile, ledger: flags.ledger ? services.ledger : null },
          signal: abort.signal,
          ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
        });
        bar.stop();
        if (flags.json) {
          const { results, errors, archive, report } = result;
          process.stdout.write(JSON.stringify({ results, errors, archive, report }, null, 2) + '\n');
        } else printHuman(result, path.dirname(path.dirname(result.archive.path)));
        process.exitCode = result.errors.length === 0 && result.report.ok === true ? EXIT.OK : EXIT.FAILED;
      } catch (err) {
        bar.stop();
        const e = toColophonError(err);
        writeHuman(process.stderr, `colophon pack: ${e.message}\n`);
        // The whole pack failed (a bomb, a damaged zip, a full disk): --json still gets its one document.
        if (flags.json) {
          const failure = { input, code: e.key, message: e.message };
          process.stdout.write(JSON.stringify({ results: [], errors: [failure], archive: null, report: null }, null, 2) + '\n');
        }
        process.exitCode = EXIT.FAILED;
      } finally {
        process.removeListener('SIGINT', onSigint);
        await services.close();
      }
    });
}

function printHuman(r: PackResult, packOut: string): void {
  const s = r.report.summary as Record<string, number>;
  const out = process.stdout;
  writeHuman(out, `${r.report.ok === true ? '✓ ready to upload' : '✗ not ready'}: ${s.processed} processed (${s.reused} reused), ${s.failed} failed, ${s.skipped} left out\n`);
  for (const e of r.errors) writeHuman(out, `  ✗ ${e.input}  ${e.code}: ${e.message}\n`);
  const findings = (r.report.findings as Array<{ severity: string; message: string; files?: string[] }>).filter((f) => f.severity !== 'info');
  for (const f of findings) {
    writeHuman(out, `  ${f.severity === 'fail' ? '✗' : '!'} ${f.message}\n`);
    for (const file of (f.files ?? []).slice(0, 10)) writeHuman(out, `      ${file}\n`);
    if ((f.files?.length ?? 0) > 10) writeHuman(out, `      … and ${f.files!.length - 10} more (see report.md)\n`);
  }
  writeHuman(out, `public previews: ${path.join(packOut, 'public')} (${s.previews} previews, ${s.contactSheets} contact sheets)\n`);
  writeHuman(out, `delivery zip:    ${r.archive.path}\n`);
  writeHuman(out, `report:          ${path.join(packOut, 'report.md')}\n`);
}
