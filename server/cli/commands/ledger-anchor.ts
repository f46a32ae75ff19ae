import type { Command } from 'commander';
import { printJson, runCommand } from '../lazy.ts';
import { writeHuman } from '../safe-text.ts';

interface AnchorFlags {
  import?: string;
  request?: string;
  ca?: string;
  out?: string;
  json?: boolean;
}

/** `ledger anchor`: an RFC 3161 trusted timestamp over the chain head, so anyone can prove when the ledger existed. */
export function registerLedgerAnchor(ledgerCommand: Command): void {
  ledgerCommand
    .command('anchor')
    .description('write an RFC 3161 timestamp request for the chain head, or import and check the authority\'s reply')
    .option('--import <reply.tsr>', 'the reply from the timestamp authority: checked against the request and recorded')
    .option('--request <file.tsq>', 'with --import: the request it answers (default: found in the anchors folder)')
    .option('--ca <file.pem>', 'with --import: the authority\'s CA certificate, for a full signature check with openssl')
    .option('--out <file.tsq>', 'where to write the request (default: <data dir>/anchors/)')
    .option('--json', 'print the result as JSON')
    .action((flags: AnchorFlags) =>
      runCommand('ledger anchor', async ({ ledger, paths }) => {
        const { importAnchorReply, writeAnchorRequest } = await import('../../evidence/anchor.ts');
        if (flags.import == null) {
          const r = await writeAnchorRequest(ledger, paths.dataDir, flags.out);
          if (flags.json) return printJson(r);
          writeHuman(process.stdout, 
            `Timestamp request for ledger entry ${r.seq} (head ${r.head}) written to ${r.file}\n` +
              'Send it to any RFC 3161 authority, for example:\n' +
              `  curl -sS -H 'Content-Type: application/timestamp-query' --data-binary @${r.file} https://freetsa.org/tsr -o reply.tsr\n` +
              'then record the reply:\n' +
              '  colophon ledger anchor --import reply.tsr --ca <the authority\'s CA certificate>\n',
          );
          return;
        }
        const r = await importAnchorReply(ledger, paths.dataDir, {
          reply: flags.import,
          ...(flags.request != null ? { request: flags.request } : {}),
          ...(flags.ca != null ? { ca: flags.ca } : {}),
        });
        if (flags.json) return printJson({ anchoredSeq: r.anchoredSeq, genTime: r.genTime, signatureVerified: r.signatureVerified, ledgerSeq: r.entry.seq, alreadyRecorded: r.alreadyRecorded === true });
        writeHuman(process.stdout, 
          `Ledger entries 0–${r.anchoredSeq} time-stamped at ${r.genTime}; ${r.alreadyRecorded ? 'already recorded' : 'recorded'} as ledger entry ${r.entry.seq}.\n` +
            (r.signatureVerified
              ? 'Signature verified with openssl against the given CA.\n'
              : 'Imprint and nonce match the request; the signature was not checked (pass --ca to check it with openssl).\n'),
        );
      }),
    );
}
