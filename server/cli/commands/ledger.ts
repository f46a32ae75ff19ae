import path from 'node:path';
import type { Command } from 'commander';
import type { LedgerEntry } from '../../../protocol/src/ledger.ts';
import type { Services } from '../../services.ts';
import { EXIT } from '../exit.ts';
import { registerLedgerAnchor } from './ledger-anchor.ts';
import { writeHuman } from '../safe-text.ts';

async function withServices(name: string, fn: (s: Services) => Promise<number>): Promise<void> {
  let services: Services | null = null;
  try {
    const { openServices } = await import('../../services.ts');
    services = await openServices();
    process.exitCode = await fn(services);
  } catch (err) {
    writeHuman(process.stderr, `colophon ledger ${name}: ${(err as Error).message}\n`);
    process.exitCode = EXIT.FAILED;
  } finally {
    await services?.close();
  }
}

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('the evidence log: verify the hash chain, show an asset\'s entries, export a sheet');

  ledger
    .command('verify')
    .description('recompute the hash chain; exit 1 and name the first bad entry when it is broken')
    .option('--anchors', 'also check the RFC 3161 anchors: each one\'s entry must still be in the ledger (catches a ledger cut short)')
    .option('--json', 'print { ok, entries, head, firstBadSeq?, problem?, anchors? } on stdout')
    .action((flags: { json?: boolean; anchors?: boolean }) =>
      withServices('verify', async ({ ledger: l, paths }) => {
        const r = await l.verify();
        const { anchorsDir } = await import('../../evidence/anchor.ts');
        const { verifyAnchors } = await import('../../ledger/anchors.ts');
        const anchors = flags.anchors ? await verifyAnchors(l, anchorsDir(paths.dataDir)) : undefined;
        const ok = r.ok && (anchors?.ok ?? true);
        if (flags.json) {
          process.stdout.write(JSON.stringify(anchors != null ? { ...r, ok, chainOk: r.ok, anchors } : r, null, 2) + '\n');
          return ok ? EXIT.OK : EXIT.FAILED;
        }
        if (r.ok) writeHuman(process.stdout, `ledger OK: ${r.entries} entries, head ${r.head}\n  ${l.file}\n`);
        else {
          writeHuman(process.stdout, 
            `ledger BROKEN at entry seq ${r.firstBadSeq} (line ${(r.firstBadSeq ?? 0) + 1} of ${l.file}):\n  ${r.problem}\n` +
              'Entries before it are intact. Restore the file from a backup; do not edit it by hand.\n',
          );
        }
        if (anchors != null) {
          if (anchors.ok) writeHuman(process.stdout, `anchors OK: ${anchors.recorded} recorded, ${anchors.replies} kept replies match the ledger\n`);
          else {
            writeHuman(process.stdout, `anchors FAILED (${anchors.problems.length} problem(s)):\n`);
            for (const p of anchors.problems) writeHuman(process.stdout, `  ${p.problem}\n`);
          }
        }
        return ok ? EXIT.OK : EXIT.FAILED;
      }),
    );

  ledger
    .command('show')
    .description('every entry that mentions an asset (16 hex digits) or a file hash (SHA-256, 64 hex digits)')
    .argument('<id>', 'assetId or sha256')
    .option('--json', 'print { entries } on stdout')
    .action((id: string, flags: { json?: boolean }) => {
      const key = id.toLowerCase();
      const q = /^[0-9a-f]{16}$/.test(key) ? { assetId: key } : /^[0-9a-f]{64}$/.test(key) ? { sha256: key } : null;
      if (q == null) {
        writeHuman(process.stderr, `colophon ledger show: "${id}" is neither an assetId (16 hex digits) nor a SHA-256 (64 hex digits)\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      return withServices('show', async ({ ledger: l }) => {
        const entries = await l.query(q);
        if (flags.json) process.stdout.write(JSON.stringify({ entries }, null, 2) + '\n');
        else if (entries.length === 0) writeHuman(process.stderr, `no ledger entries mention ${id}\n`);
        else for (const e of entries) writeHuman(process.stdout, describe(e));
        return entries.length > 0 ? EXIT.OK : EXIT.FAILED;
      });
    });

  ledger
    .command('export')
    .description('write the ledger as a spreadsheet-friendly CSV (one row per entry)')
    .option('--csv', 'CSV format (the only one so far)')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((flags: { csv?: boolean; out?: string }) => {
      if (!flags.csv) {
        writeHuman(process.stderr, 'colophon ledger export: choose a format: --csv\n');
        process.exitCode = EXIT.USAGE;
        return;
      }
      return withServices('export', async ({ ledger: l }) => {
        const entries = await l.readAll();
        const { ledgerCsv } = await import('../../daemon/ledger-csv.ts');
        const csv = ledgerCsv(entries);
        if (flags.out != null) {
          const out = path.resolve(flags.out);
          const { writeFileAtomic } = await import('../../util/atomic.ts');
          await writeFileAtomic(out, csv);
          writeHuman(process.stderr, `${entries.length} entries written to ${out}\n`);
        } else process.stdout.write(csv);
        return EXIT.OK;
      });
    });

  registerLedgerAnchor(ledger);
}

function describe(e: LedgerEntry): string {
  const d = e.data as Record<string, any>;
  const lines = [`#${e.seq}  ${e.ts}  ${e.type}`];
  if (d.input?.path != null) lines.push(`    file     ${d.input.path}`);
  if (d.input?.sha256 != null) lines.push(`    sha256   ${d.input.sha256}`);
  for (const o of (d.outputs ?? []) as Array<Record<string, unknown>>) lines.push(`    ${String(o.visibility).padEnd(8)} ${o.purpose}  ${o.path}`);
  for (const k of ['where', 'url', 'licensee', 'date'] as const) if (d[k] != null) lines.push(`    ${k.padEnd(8)} ${d[k]}`);
  lines.push(`    hash     ${e.hash}`);
  return lines.join('\n') + '\n';
}
