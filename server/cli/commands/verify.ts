import type { Command } from 'commander';
import type { CredentialReport } from '../../../protocol/src/credentials.ts';
import { printJson, runCommand } from '../lazy.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check the Content Credentials (C2PA) of files: embedded or in <file>.c2pa; shows training-mining, creator, signer, whether the file changed, and whether the ledger knows it')
    .argument('<files...>', 'files to check (a .c2pa sidecar checks the file it belongs to)')
    .option('--json', 'print { files: [...] } as JSON')
    .action((files: string[], flags: { json?: boolean }) =>
      runCommand('verify', async ({ ledger }) => {
        const { verifyCredential } = await import('../../c2pa/verify.ts');
        const reports: CredentialReport[] = [];
        const errors: Array<{ input: string; message: string }> = [];
        for (const f of files) {
          try {
            reports.push(await verifyCredential(f, ledger));
          } catch (err) {
            errors.push({ input: f, message: (err as Error).message });
            writeHuman(process.stderr, `colophon verify: ${(err as Error).message}\n`);
          }
        }
        if (errors.length > 0 || reports.some((r) => !r.valid)) process.exitCode = EXIT.FAILED;
        if (flags.json) return printJson({ files: reports, errors });
        for (const r of reports) writeHuman(process.stdout, describe(r));
      }),
    );
}

function describe(r: CredentialReport): string {
  const lines = [`${r.path}: ${r.valid ? 'VALID' : 'NOT VALID'}, ${r.summary}`];
  if (r.credential !== 'absent') lines.push(`  credential: ${r.credential === 'sidecar' ? `${r.path}.c2pa` : 'embedded'}`);
  if (r.signer != null) lines.push(`  signer: ${r.signer.name ?? 'unnamed'} (issuer ${r.signer.issuer ?? 'unknown'}), ${r.signer.trusted ? 'on the trust list' : 'not on the trust list'}`);
  if (r.timestamp != null) lines.push(`  signed at: ${r.timestamp}`);
  if (r.creator != null) lines.push(`  creator: ${r.creator.name}${r.creator.rights != null ? ` — ${r.creator.rights}` : ''}`);
  if (r.trainingMining != null) {
    for (const [k, v] of Object.entries(r.trainingMining)) lines.push(`  ${k}: ${v.use}${v.constraint_info != null ? ` (${v.constraint_info.length > 90 ? `${v.constraint_info.slice(0, 87)}…` : v.constraint_info})` : ''}`);
  }
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  if (r.ledger != null) lines.push(r.ledger.known ? `  ledger: recorded as asset ${r.ledger.assetId} (entry ${r.ledger.seq}, ${r.ledger.recordedAt})` : '  ledger: these bytes were never recorded');
  return lines.join('\n') + '\n';
}
