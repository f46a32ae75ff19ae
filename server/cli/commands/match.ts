import type { Command } from 'commander';
import { printJson, runCommand } from '../lazy.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

/**
 * evidence/match.ts's DEFAULT_THRESHOLD, written out so the help text does not load the matcher (and sharp) at
 * start-up; test/pipeline/cli-lazy.test.ts checks that the two agree.
 */
export const DEFAULT_THRESHOLD = 10;

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('find which recorded assets these files copy (perceptual hash, tolerant of resizing, recompression, watermarks, light crops and mirroring)')
    .argument('<paths...>', 'suspected copies: files or folders of images')
    .option('--threshold <bits>', `largest hash distance (0–64) that counts as a match (default ${DEFAULT_THRESHOLD})`)
    .option('--json', 'print { matches, unmatched, errors } as JSON')
    .action((paths: string[], flags: { threshold?: string; json?: boolean }) =>
      runCommand('match', async ({ ledger }) => {
        const threshold = flags.threshold == null ? DEFAULT_THRESHOLD : Number(flags.threshold);
        if (!Number.isInteger(threshold) || threshold < 0 || threshold > 64) {
          writeHuman(process.stderr, `colophon match: --threshold "${flags.threshold}" must be a whole number from 0 to 64.\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        const [{ loadAssetIndex }, { matchFiles }] = await Promise.all([import('../../evidence/assets.ts'), import('../../evidence/match.ts')]);
        const report = await matchFiles(paths, await loadAssetIndex(ledger), threshold);
        for (const e of report.errors) writeHuman(process.stderr, `colophon match: ${e.message}\n`);
        if (report.errors.length > 0) process.exitCode = EXIT.FAILED;
        if (flags.json) return printJson(report);
        for (const m of report.matches) {
          const s = m.summary;
          writeHuman(process.stdout, 
            `${m.file}\n  matches ${m.assetId} (${s.inputName ?? 'unnamed'}), distance ${m.distance}/64 on the ${m.matchedOn} hash, ${m.transform}\n` +
              `  first recorded ${s.firstRecorded} (ledger entry ${s.firstRecordedSeq}) by ${s.creator ?? 'unknown'}, ${s.licence ?? 'no licence recorded'}\n` +
              (s.publications.length > 0 ? `  published: ${s.publications.map((p) => `${p.where} ${p.date}`).join('; ')}\n` : '') +
              (s.caution != null ? `  CAUTION: ${s.caution}\n` : '') +
              (m.lowDetail ? '  note: this image is nearly flat, so the match may be coincidental: compare by eye\n' : '') +
              `  evidence: colophon evidence ${m.assetId} --out ${m.assetId}.html\n`,
          );
        }
        if (report.unmatched.length > 0) writeHuman(process.stdout, `No match within ${threshold} bits: ${report.unmatched.join(', ')}\n`);
      }),
    );
}
